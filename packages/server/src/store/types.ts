/**
 * The one async store interface. Everything above it (routes, services, the operator
 * CLI) talks to this and nothing else; SQLite (now) and PostgreSQL (issue 4) live below
 * it, written with Kysely so both dialects share the queries. No dialect branch may
 * appear above this file.
 *
 * Times are ISO 8601 UTC strings with milliseconds (`2026-03-31T14:00:00.000Z`) in and
 * out; the clock is always passed in (`now`) so tests control it.
 */
import type { Role } from '@codika/contract/operations';
import type { Scope } from '@codika/contract/scopes';

export { ROLES, type Role } from '@codika/contract/operations';

export interface Organization {
  id: string;
  name: string;
  createdAt: string;
}

export interface User {
  id: string;
  email: string;
  createdAt: string;
}

export interface Membership {
  organizationId: string;
  userId: string;
  role: Role;
}

/** The mutable fields of a key, as shown in audit before/after and `previous`. */
export interface KeyFields {
  name: string;
  description: string;
  /** Canonical order (the order of SCOPES), no duplicates. */
  scopes: Scope[];
}

export interface ApiKeyRecord extends KeyFields {
  id: string;
  organizationId: string;
  createdByUserId: string;
  /** First 8 characters of the raw key, e.g. `cko_aB12`. */
  prefix: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface ApiKeyWithCreator extends ApiKeyRecord {
  createdByEmail: string;
}

/**
 * Everything the authentication step needs, found by the SHA-256 hash of the raw key
 * in one query. Revoked and expired keys are returned too: the caller judges them.
 */
export interface AuthRecord {
  key: ApiKeyRecord;
  organization: Organization;
  user: User;
  /** The creating user's role in the key's organization *now*; null if no longer a member. */
  role: Role | null;
}

export type AuditAction =
  | 'key.create'
  | 'key.update'
  | 'key.revoke'
  // accounts (0005)
  | 'account.signup'
  | 'account.login'
  | 'account.code_failed'
  | 'organization.create'
  // members (0005)
  | 'member.add'
  | 'member.update'
  | 'member.remove';
export type AuditResult = 'allowed' | 'denied' | 'dry_run';

export interface AuditEntryInput {
  at: string;
  requestId: string;
  action: AuditAction;
  result: AuditResult;
  /** Error code when denied (e.g. SCOPE_ESCALATION), null otherwise. */
  reason: string | null;
  /** The calling key; null for operator actions (codika-server bootstrap / keys issue). */
  actorKeyId: string | null;
  actorUserId: string | null;
  /** Null only for an account event that concerns no organization (a wrong code of an address without one). */
  organizationId: string | null;
  /** Target key id as requested (may not exist). */
  targetKeyId: string | null;
  /** The person a member change or account event is about. */
  targetUserId?: string | null;
  /** Key actions: the key's fields; member actions: `{ email, role }` (MemberState). */
  before: AuditState | null;
  after: AuditState | null;
  sourceIp: string | null;
  userAgent: string | null;
}

/** What a member change records before and after. */
export interface MemberState {
  email: string;
  role: Role;
}

export type AuditState = KeyFields | MemberState;

export interface AuditEntry extends AuditEntryInput {
  id: string;
  targetUserId: string | null;
}

export interface NewKeyInput {
  id: string;
  organizationId: string;
  createdByUserId: string;
  name: string;
  description: string;
  scopes: Scope[];
  prefix: string;
  hash: string;
  createdAt: string;
  expiresAt: string | null;
}

/** A requested change; `scopes` excludes `addScopes`/`removeScopes` (checked before). */
export interface KeyChange {
  name?: string;
  description?: string;
  scopes?: Scope[];
  addScopes?: Scope[];
  removeScopes?: Scope[];
}

/**
 * Decides, inside the write transaction and with the target row locked, whether the
 * change may be applied. Returns null to allow, or an error code (and optional details)
 * to deny; a denial rolls back nothing but the change (the audit row is still written).
 */
export type ChangeJudge = (before: ApiKeyRecord, after: KeyFields) => { code: string; details?: Record<string, unknown> } | null;

export type UpdateOutcome =
  | { status: 'not_found' }
  | { status: 'denied'; code: string; details?: Record<string, unknown>; before: ApiKeyRecord; after: KeyFields }
  | { status: 'dry_run'; before: ApiKeyRecord; after: ApiKeyRecord }
  | { status: 'updated'; before: ApiKeyRecord; after: ApiKeyRecord };

export type CreateOutcome = { status: 'created'; key: ApiKeyRecord } | { status: 'limit_reached'; limit: number };

export type RevokeOutcome = { status: 'revoked'; key: ApiKeyRecord } | { status: 'not_found' };

/** The first organization of an empty store, its owner and the owner's key (first-run bootstrap). */
export interface FirstOrganizationInput {
  organization: { id: string; name: string; createdAt: string };
  /** The owner; an existing user with this e-mail is reused (its id then wins over `id`). */
  owner: { id: string; email: string };
  /** The owner's key; organizationId and createdByUserId come from the two above. */
  key: Omit<NewKeyInput, 'organizationId' | 'createdByUserId'>;
  /** The key's audit row; actor, organization and target are filled in. */
  audit: Pick<AuditEntryInput, 'at' | 'requestId' | 'sourceIp' | 'userAgent'>;
}

export type FirstOrganizationOutcome =
  | { status: 'created'; organization: Organization; owner: User; key: ApiKeyRecord }
  | { status: 'not_empty' };

export interface NewSessionInput {
  idHash: string;
  keyId: string;
  createdAt: string;
  expiresAt: string;
}

export interface Store {
  /** Apply pending migrations (idempotent). */
  migrate(): Promise<void>;
  /** Cheap check for /readyz: throws unless the database can be read and written now. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // -- organizations, users, memberships (operator CLI and tests) --
  createOrganization(input: { id: string; name: string; createdAt: string }): Promise<Organization>;
  getOrganization(id: string): Promise<Organization | undefined>;
  /** Returns the existing user when the email is known (emails are unique, case-insensitive). */
  ensureUser(input: { id: string; email: string; createdAt: string }): Promise<User>;
  getUserByEmail(email: string): Promise<User | undefined>;
  /** Insert or change a membership. */
  setMembership(m: Membership): Promise<void>;
  removeMembership(organizationId: string, userId: string): Promise<boolean>;
  getMembership(organizationId: string, userId: string): Promise<Membership | undefined>;
  /** True when the store holds no organization at all (first start). */
  isEmpty(): Promise<boolean>;
  /**
   * On an empty store only, create the first organization, its owner (role owner) and the
   * owner's key with its audit row, in one transaction — exactly once however many instances
   * start together on one database (they queue on one lock and the later ones find the store
   * not empty). Anything else: `not_empty`, nothing written.
   */
  bootstrapFirstOrganization(input: FirstOrganizationInput): Promise<FirstOrganizationOutcome>;

  // -- keys --
  findAuthByHash(hash: string): Promise<AuthRecord | undefined>;
  /**
   * Record a use: sets last_used_at = at only when it is null or older than `staleBefore`,
   * so a busy key causes at most one write per interval.
   */
  touchLastUsed(keyId: string, at: string, staleBefore: string): Promise<void>;
  /**
   * Create a key and its audit row in one transaction, refusing (limit_reached) when the
   * organization already has `maxLiveKeys` live (not revoked, not expired at `now`) keys.
   */
  createKey(input: NewKeyInput, maxLiveKeys: number, audit: AuditEntryInput): Promise<CreateOutcome>;
  /** A live key of that organization (not revoked, not expired at `now`), else undefined. */
  getLiveKey(organizationId: string, keyId: string, now: string): Promise<ApiKeyWithCreator | undefined>;
  listLiveKeys(organizationId: string, now: string): Promise<ApiKeyWithCreator[]>;
  /**
   * The keys of that organization that are no longer live (revoked, or expired at `now`),
   * newest first, at most `limit` (default 100): the dashboard shows them on request.
   */
  listInactiveKeys(organizationId: string, now: string, limit?: number): Promise<ApiKeyWithCreator[]>;
  /**
   * In one transaction: lock the live target row, compute the new fields (addScopes and
   * removeScopes applied by SQL statements on the key's scope rows, never a JavaScript
   * read-modify-write of a stored list), ask `judge`, apply (unless denied or dryRun),
   * set updated_at = now, and append the audit row (`audit` completed with result,
   * reason, before, after). Not found → audit row with reason KEY_NOT_FOUND.
   */
  updateKey(params: {
    organizationId: string;
    keyId: string;
    change: KeyChange;
    dryRun: boolean;
    now: string;
    judge: ChangeJudge;
    audit: Omit<AuditEntryInput, 'result' | 'reason' | 'before' | 'after'>;
  }): Promise<UpdateOutcome>;
  /** Revoke a live key and append the audit row in one transaction. */
  revokeKey(params: {
    organizationId: string;
    keyId: string;
    now: string;
    audit: Omit<AuditEntryInput, 'result' | 'reason' | 'before' | 'after'>;
  }): Promise<RevokeOutcome>;

  // -- dashboard sessions --
  /** Open a session: `idHash` is the SHA-256 of the opaque id in the browser's cookie. */
  createSession(input: NewSessionInput): Promise<void>;
  /**
   * The auth record of the key a session acts as, when the session exists and has not
   * expired at `now`. Like findAuthByHash, a revoked or expired key is returned too: the
   * authentication step judges it, so a session never outlives its key's rights.
   */
  findAuthBySession(idHash: string, now: string): Promise<AuthRecord | undefined>;
  /** End a session (sign-out); false when there was none. */
  deleteSession(idHash: string): Promise<boolean>;
  /** Remove every session expired at `now`; returns how many. */
  deleteExpiredSessions(now: string): Promise<number>;

  // -- audit --
  /** Append one row on its own (denials that never reach a write transaction). */
  appendAudit(entry: AuditEntryInput): Promise<void>;
  listAudit(filter: { organizationId: string; targetKeyId?: string; limit?: number }): Promise<AuditEntry[]>;
}
