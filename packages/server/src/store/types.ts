/**
 * The one async store interface. Everything above it (routes, services, the operator
 * CLI) talks to this and nothing else; SQLite and PostgreSQL live below it (sql-store.ts,
 * written with Kysely so both dialects share the queries). No dialect branch may
 * appear above this file.
 *
 * Times are ISO 8601 UTC strings with milliseconds (`2026-03-31T14:00:00.000Z`) in and
 * out; the clock is always passed in (`now`) so tests control it.
 */
import type { AuditAction, AuditResult } from '@codika/contract/audit';
import type { KeySort, KeyState, Role } from '@codika/contract/operations';
import type { AccountState, KeyFields, MemberState, SettingsState } from '@codika/contract/schemas';
import type { Scope } from '@codika/contract/scopes';
import type { MemberActor, MemberDenialCode } from '../roles.js';

export type { AuditAction, AuditResult } from '@codika/contract/audit';
export { ROLES, type Role } from '@codika/contract/operations';
/** A key's mutable fields (scopes in canonical order) and a member's state, as audit rows hold them. */
export type { KeyFields, MemberState, SettingsState } from '@codika/contract/schemas';

/** The fields of a key every key has (KeyFields without the lifecycle fields). */
export type KeyBaseFields = Pick<KeyFields, 'name' | 'description' | 'scopes'>;

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

export interface ApiKeyRecord extends KeyBaseFields {
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
  /** The client address of the last recorded use (written with lastUsedAt, 0008). */
  lastUsedIp: string | null;
  /** When a rotation's previous secret stops working; null when there is none (it may be past). */
  previousSecretExpiresAt: string | null;
  /** null: enabled. A disabled key authenticates nowhere. */
  disabledAt: string | null;
  /**
   * null: usable from anywhere; else the canonical CIDR ranges it may be used from. A stored
   * list that is not a JSON array of strings comes back as one entry holding its text, which
   * parses as no range: the key then authenticates from nowhere (fails closed).
   */
  allowedIps: string[] | null;
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
  /**
   * Which of the key's secrets the hash is: its current one, or a rotation's previous one
   * (valid until key.previousSecretExpiresAt — the caller judges it). A session's record: current.
   */
  secret: 'current' | 'previous';
}

export interface AuditEntryInput {
  at: string;
  requestId: string;
  action: AuditAction;
  result: AuditResult;
  /**
   * Error code when denied (e.g. SCOPE_ESCALATION), null otherwise — except `LAST_OWNER` on an
   * allowed member change: the operator passed the last-owner rule with --force.
   */
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
  before: AuditStateInput | null;
  after: AuditStateInput | null;
  sourceIp: string | null;
  userAgent: string | null;
}

/** What an account event (sign-up, sign-in, failed code) records: the address, and which code. */
export type { AccountState } from '@codika/contract/schemas';

export type AuditState = KeyFields | MemberState | AccountState | SettingsState;
/** What a writer may hand in as a state: a stored key record too, of which only its KeyFields are written (key-fields.ts). */
export type AuditStateInput = AuditState | ApiKeyRecord;

/**
 * Who, from where and when: what a caller gives a mutating store method for the audit rows it
 * writes. The store completes each row from what else it is given and what it finds (action,
 * organization, target key and user, result, reason, before/after). The actor is the calling
 * key and its user, or the person signed in by code (no key); the operator CLI's rows and those
 * of a code operation name none — sign-up and sign-in name the person once the code has proved
 * who they are.
 */
export type AuditOrigin = Omit<
  AuditEntryInput,
  'action' | 'result' | 'reason' | 'targetKeyId' | 'targetUserId' | 'before' | 'after' | 'organizationId'
>;

export interface AuditEntry extends Omit<AuditEntryInput, 'before' | 'after'> {
  id: string;
  targetUserId: string | null;
  before: AuditState | null;
  after: AuditState | null;
}

/**
 * One page of an organization's audit log (`/listauditeventspublic`), newest first by id.
 * Filters combine with AND; `actions`: any of them; `since` inclusive, `until` exclusive;
 * `beforeId`: the page starts below that id (the cursor).
 */
export interface AuditQuery {
  organizationId: string;
  targetKeyId?: string;
  actorKeyId?: string;
  actorUserId?: string;
  actions?: readonly AuditAction[];
  result?: AuditResult;
  since?: string;
  until?: string;
  beforeId?: string;
  limit: number;
}

/** `hasMore`: rows below the page's last one match too. */
export interface AuditPage {
  entries: AuditEntry[];
  hasMore: boolean;
}

/** What the key list asks for (`/listorganizationapikeyspublic` with filters): see ListKeysRequest. */
export interface KeyListQuery {
  organizationId: string;
  now: string;
  state: KeyState;
  /** Keys with no use at or after this time (never-used ones only when created before it). */
  unusedSince?: string;
  /** Keys whose expiry is set and before this time. */
  expiresBefore?: string;
  sort: KeySort;
}

/** A key to store: its own fields (MintedKeyInput), its organization, its creator and its scopes. */
export interface NewKeyInput extends MintedKeyInput {
  organizationId: string;
  createdByUserId: string;
  scopes: Scope[];
}

/** A requested change; `scopes` excludes `addScopes`/`removeScopes` (checked before). */
export interface KeyChange {
  name?: string;
  description?: string;
  scopes?: Scope[];
  addScopes?: Scope[];
  removeScopes?: Scope[];
  /** Key lifecycle: the new expiry (null: none), enabled or disabled, the allowlist (canonical CIDRs; null: none). */
  expiresAt?: string | null;
  enabled?: boolean;
  allowedIps?: string[] | null;
}

/**
 * A judge's refusal: at least an error code (the audit row's reason) and optional details. A
 * judge returns its own typed error (the routes: an ApiError), which the outcome carries back
 * as is for the caller to throw.
 */
export interface Denial {
  readonly code: string;
  readonly details?: Record<string, unknown> | undefined;
}

/** What a key judge learns inside the transaction besides the key itself. */
export interface KeyJudgeContext {
  /** The key's creating user's role in the organization as the transaction reads it; null if no longer a member. */
  creatorRole: Role | null;
  /** The organization's maximum key lifetime in days as the transaction reads it; null: none. */
  maxKeyLifetimeDays: number | null;
}

/**
 * Decides, inside the write transaction and with the target row locked, whether the
 * change may be applied. Returns null to allow, or its denial; a denial rolls back nothing
 * but the change (the audit row is still written).
 */
export type ChangeJudge<D extends Denial = Denial> = (
  before: ApiKeyRecord,
  after: KeyFields,
  context: KeyJudgeContext,
) => D | null;

/** Decides, inside the revoke transaction with the key row locked, whether the key may be revoked. */
export type RevokeJudge<D extends Denial = Denial> = (key: ApiKeyRecord, context: KeyJudgeContext) => D | null;

export interface UpdateKeyParams<D extends Denial = Denial> {
  organizationId: string;
  keyId: string;
  change: KeyChange;
  dryRun: boolean;
  now: string;
  judge: ChangeJudge<D>;
  audit: AuditOrigin;
}

export interface RevokeKeyParams<D extends Denial = Denial> {
  organizationId: string;
  keyId: string;
  now: string;
  judge?: RevokeJudge<D>;
  audit: AuditOrigin;
}

export type UpdateOutcome<D extends Denial = Denial> =
  | { status: 'not_found' }
  | { status: 'denied'; denial: D; before: ApiKeyRecord; after: KeyFields }
  | { status: 'dry_run'; before: ApiKeyRecord; after: ApiKeyRecord }
  | { status: 'updated'; before: ApiKeyRecord; after: ApiKeyRecord };

export type CreateOutcome = { status: 'created'; key: ApiKeyRecord } | { status: 'limit_reached'; limit: number };

export type RevokeOutcome<D extends Denial = Denial> =
  | { status: 'revoked'; key: ApiKeyRecord }
  | { status: 'not_found' }
  | { status: 'denied'; denial: D };

// -- key lifecycle (store/key-lifecycle.ts) --

export type RotateOutcome<D extends Denial = Denial> =
  | { status: 'rotated'; before: ApiKeyRecord; key: ApiKeyRecord }
  | { status: 'not_found' }
  | { status: 'denied'; denial: D };

/**
 * Decides, inside the rotation's transaction with the key row locked, whether the key may be
 * rotated and with which expiry: `expiresAt` is the key's expiry after the rotation.
 */
export type RotateJudge<D extends Denial = Denial> = (
  key: ApiKeyRecord,
  context: KeyJudgeContext & { expiresAt: string | null },
) => D | null;

export interface RotateKeyParams<D extends Denial = Denial> {
  organizationId: string;
  keyId: string;
  now: string;
  newHash: string;
  newPrefix: string;
  /** The key's expiry after the rotation, given the key and the organization's maximum lifetime. */
  expiresAt(key: ApiKeyRecord, maxKeyLifetimeDays: number | null): string | null;
  /** When the old secret stops working, given the key's new expiry; null (or not after now): at once. */
  graceEndsAt(expiresAt: string | null): string | null;
  judge: RotateJudge<D>;
  audit: AuditOrigin;
}

export interface OrganizationSettingsRecord {
  organizationId: string;
  maxKeyLifetimeDays: number | null;
}

export type UpdateSettingsOutcome =
  | { status: 'updated'; before: OrganizationSettingsRecord; after: OrganizationSettingsRecord }
  | { status: 'organization_not_found' };

// -- members --

/** A member of an organization as listed. */
export interface MemberRecord {
  userId: string;
  email: string;
  role: Role;
  joinedAt: string;
  /** Their last sign-in by code, if it was since they joined this organization. */
  lastSignInAt: string | null;
  /** Live keys (not revoked, not expired) this member created in the organization. */
  liveKeyCount: number;
}

/** A member named by user id or by e-mail address. */
export type MemberRef = { userId: string } | { email: string };

export type { MemberActor, MemberDenialCode };

export type AddMemberOutcome =
  | { status: 'added'; member: MemberRecord; userCreated: boolean; revokedKeyIds: string[] }
  | { status: 'exists'; member: MemberRecord }
  | { status: 'denied'; code: MemberDenialCode }
  | { status: 'organization_not_found' };

export type UpdateMemberOutcome =
  | { status: 'updated'; member: MemberRecord; previousRole: Role; forced: boolean }
  | { status: 'denied'; code: MemberDenialCode }
  | { status: 'not_found' }
  | { status: 'organization_not_found' };

export type RemoveMemberOutcome =
  | { status: 'removed'; member: MemberRecord; revokedKeyIds: string[]; forced: boolean }
  | { status: 'denied'; code: MemberDenialCode }
  | { status: 'not_found' }
  | { status: 'organization_not_found' };

// ---- accounts: e-mailed codes, sign-up, sign-in, organizations ----------------

/** What an e-mailed one-time code is for; a code of one purpose never completes the other. */
export type CodePurpose = 'signup' | 'login';

/** An organization a user belongs to, with the user's role in it. */
export interface UserOrganization {
  id: string;
  name: string;
  role: Role;
}

/** An organization with what its creator said about it. */
export interface OrganizationDetails extends Organization {
  description: string;
  size: string | null;
}

/** The code of an address as stored: only its salted hash (see accounts/codes.ts). */
export interface LoginCodeInput {
  email: string;
  purpose: CodePurpose;
  codeHash: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * Judges a presented code against the stored hash (in constant time); the store never sees
 * the code itself.
 */
export type CodeCheck = (codeHash: string) => boolean;

/**
 * One attempt at a code. In the attempt's transaction the store counts it on the code row
 * (an atomic `attempts = attempts + 1`, so every instance sharing the database shares the
 * count), refuses a code that is missing, expired, of the other purpose or out of attempts,
 * burns (deletes) the code at the `maxAttempts`-th wrong try, and consumes (deletes) it when
 * right and the rest of the write succeeds. A wrong attempt commits its count and its
 * `account.code_failed` audit row(s); a right code whose completion is refused (several
 * organizations, a full organization, …) rolls everything back: the code stays as it was.
 */
export interface CodeAttempt {
  email: string;
  purpose: CodePurpose;
  now: string;
  check: CodeCheck;
  maxAttempts: number;
}

/**
 * A new key's own fields (new-key.ts newKey); where it is stored adds the organization, the
 * creator and the scopes — for sign-up and sign-in, the ones the store settles.
 */
export interface MintedKeyInput {
  id: string;
  name: string;
  description: string;
  prefix: string;
  hash: string;
  createdAt: string;
  expiresAt: string | null;
}

export type SignupOutcome =
  | { status: 'signed_up'; user: User; isNewUser: boolean; organization: OrganizationDetails; key: ApiKeyRecord }
  | { status: 'invalid_code' };

export type LoginOutcome =
  | { status: 'signed_in'; user: User; organization: Organization; role: Role; key: ApiKeyRecord }
  | { status: 'invalid_code' }
  /** The code was right but the address has no user or the user no organization. */
  | { status: 'no_organization' }
  /** The code was right; no organizationId and several organizations: the code is kept. */
  | { status: 'multiple_organizations'; organizations: UserOrganization[] }
  /** The code was right; organizationId is not one of the user's: the code is kept. */
  | { status: 'organization_not_found'; organizations: UserOrganization[] }
  /** The code was right; the organization holds its maximum of live keys: the code is kept. */
  | { status: 'limit_reached'; limit: number };

export type RedeemOutcome = { status: 'redeemed'; user: User; organizations: UserOrganization[] } | { status: 'invalid_code' };

/** The first organization of an empty store, its owner and the owner's key (first-run bootstrap). */
export interface FirstOrganizationInput {
  organization: { id: string; name: string; createdAt: string };
  /** The owner; an existing user with this e-mail is reused (its id then wins over `id`). */
  owner: { id: string; email: string };
  /** The owner's key; organizationId and createdByUserId come from the two above. */
  key: Omit<NewKeyInput, 'organizationId' | 'createdByUserId'>;
  /** The key's audit row; actor, organization and target are filled in. */
  audit: Pick<AuditOrigin, 'at' | 'requestId' | 'sourceIp' | 'userAgent'>;
}

export type FirstOrganizationOutcome =
  | { status: 'created'; organization: Organization; owner: User; key: ApiKeyRecord }
  | { status: 'not_empty' };

/** A session opened with a key: it acts as that key. */
export interface NewKeySessionInput {
  idHash: string;
  keyId: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * A session opened by a person with an e-mailed code: it acts as that user in one of their
 * organizations (null until they have chosen one, when they belong to several).
 */
export interface NewUserSessionInput {
  idHash: string;
  userId: string;
  organizationId: string | null;
  createdAt: string;
  expiresAt: string;
}

export type NewSessionInput = NewKeySessionInput | NewUserSessionInput;

/** What the authentication step needs of a person's session (one query). */
export interface UserSessionRecord {
  user: User;
  /** The organization the session acts in; null until the person has chosen one. */
  organization: Organization | null;
  /** The user's role in that organization *now*; null when none is chosen or they are no longer a member. */
  role: Role | null;
}

/** What the metrics read of a store's connections (PostgreSQL: the pool). */
export interface StoreUsage {
  pool?: { total: number; idle: number; waiting: number; max: number };
}

export interface Store {
  /** Numbers for the metrics: the connection pool's use (PostgreSQL); absent where there is none. */
  usage?(): StoreUsage;
  /** Told the size of every group commit (SQLite: write transactions sharing one COMMIT). */
  observeGroupCommits?(observer: (transactions: number) => void): void;
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
   * Record a use: sets last_used_at = at (and last_used_ip = ip) only when it is null or older than `staleBefore`,
   * so a busy key causes at most one write per interval.
   */
  touchLastUsed(keyId: string, at: string, staleBefore: string, ip?: string | null): Promise<void>;
  /**
   * Create a key and its audit row (`key.create`, after = the key's fields) in one transaction,
   * refusing (limit_reached, a denied MAX_API_KEYS_REACHED row) when the organization already
   * has `maxLiveKeys` live (not revoked, not expired at `now`) keys.
   */
  createKey(input: NewKeyInput, maxLiveKeys: number, audit: AuditOrigin): Promise<CreateOutcome>;
  /** A live key of that organization (not revoked, not expired at `now`), else undefined. */
  getLiveKey(organizationId: string, keyId: string, now: string): Promise<ApiKeyWithCreator | undefined>;
  listLiveKeys(organizationId: string, now: string): Promise<ApiKeyWithCreator[]>;
  /** The keys of one organization in a state, filtered and ordered (store/key-list.ts). */
  listKeys(query: KeyListQuery): Promise<ApiKeyWithCreator[]>;
  /**
   * The keys of that organization that are no longer live (revoked, or expired at `now`),
   * newest first, at most `limit` (default 100): the dashboard shows them on request.
   */
  listInactiveKeys(organizationId: string, now: string, limit?: number): Promise<ApiKeyWithCreator[]>;
  /**
   * In one transaction: lock the live target row, compute the new fields (addScopes and
   * removeScopes applied by SQL statements on the key's scope rows, never a JavaScript
   * read-modify-write of a stored list), ask `judge`, apply (unless denied or dryRun),
   * set updated_at = now, and append the audit row (`audit` completed: `key.update` on the
   * key, result, reason, before, after). Not found → audit row with reason KEY_NOT_FOUND; a
   * denial → the judge's denial, as it returned it, and a denied row with its code.
   */
  updateKey<D extends Denial>(params: UpdateKeyParams<D>): Promise<UpdateOutcome<D>>;
  /**
   * Revoke a live key and append the audit row (`key.revoke`) in one transaction; `judge`
   * (when given) is asked with the key row locked, and a refusal is recorded as a denied row
   * and answered as the judge returned it.
   */
  revokeKey<D extends Denial>(params: RevokeKeyParams<D>): Promise<RevokeOutcome<D>>;

  // -- key lifecycle (store/key-lifecycle.ts) --
  /**
   * Rotate a live key in one transaction with the key row locked: the current secret becomes
   * the previous one, valid until `previousSecretExpiresAt(expiresAt)` (null, or a time not
   * after now: it ends at once), replacing any older previous secret; `newHash`/`newPrefix`
   * become current; the key's expiry becomes `expiresAt(key, maxKeyLifetimeDays)`; the key's
   * dashboard sessions end; a `key.rotate` row is appended. `judge` may refuse (a denied row,
   * nothing changed). Not live → not_found (a denied row with KEY_NOT_FOUND).
   */
  rotateKey<D extends Denial>(params: RotateKeyParams<D>): Promise<RotateOutcome<D>>;
  getOrganizationSettings(organizationId: string): Promise<OrganizationSettingsRecord | undefined>;
  /** Change the settings and append an `organization.settings_update` row (before/after), in one transaction. */
  updateOrganizationSettings(params: {
    organizationId: string;
    maxKeyLifetimeDays: number | null;
    audit: AuditOrigin;
  }): Promise<UpdateSettingsOutcome>;

  // -- members (store/members.ts) --
  /**
   * The members of an organization with their live key counts, in one query: owners, then
   * admins, then members, each by e-mail.
   */
  listMembers(organizationId: string, now: string): Promise<MemberRecord[]>;
  /**
   * Every member change below runs in one transaction that first locks the organization's
   * row (the portable row lock), then reads the actor's and the target's role and the owner
   * count and judges the change with roles.ts; each writes its own audit row(s) — allowed or
   * denied — in that transaction (`member.*` with before/after `{ email, role }`).
   *
   * Add a person by e-mail (the user is created when new; `newUserId` is its id then). A
   * person already a member: `exists` (nothing written but a denied MEMBER_EXISTS row). Live
   * keys the person still holds in the organization from an earlier membership are revoked
   * (a `key.revoke` row each), so adding someone back never brings an old key back.
   */
  addMember(params: {
    organizationId: string;
    email: string;
    role: Role;
    newUserId: string;
    now: string;
    actor: MemberActor;
    audit: AuditOrigin;
  }): Promise<AddMemberOutcome>;
  /** Change a member's role (no change when it is the same role: an allowed row, before = after). */
  updateMemberRole(params: {
    organizationId: string;
    member: MemberRef;
    role: Role;
    now: string;
    actor: MemberActor;
    audit: AuditOrigin;
  }): Promise<UpdateMemberOutcome>;
  /** Remove a member and revoke every live key they created in the organization (a `key.revoke` row each). */
  removeMember(params: {
    organizationId: string;
    member: MemberRef;
    now: string;
    actor: MemberActor;
    audit: AuditOrigin;
  }): Promise<RemoveMemberOutcome>;

  // -- accounts: e-mailed codes, sign-up, sign-in, organizations (store/accounts.ts) --
  /** Store the code of an address, replacing whatever code it had (one code per address). */
  saveLoginCode(input: LoginCodeInput): Promise<void>;
  /**
   * Remove the code of an address; with `codeHash`, only when it is still that code (a newer
   * request's code stays). False when nothing was removed.
   */
  deleteLoginCode(email: string, codeHash?: string): Promise<boolean>;
  /**
   * Sign-up by code, in one transaction: the code attempt (CodeAttempt), then the user (or the
   * existing one of that address), the organization, its owner membership, the minted key with
   * `scopes`, `last_sign_in_at`, and the audit rows `organization.create`, `key.create`,
   * `account.signup`. Nothing is written half-way.
   */
  completeSignup(
    params: CodeAttempt & {
      userId: string;
      organization: { id: string; name: string; description: string; size: string | null };
      key: MintedKeyInput;
      scopes: Scope[];
      audit: AuditOrigin;
    },
  ): Promise<SignupOutcome>;
  /**
   * Sign-in by code, in one transaction: the code attempt, the user's organization (the one
   * named, else their only one), the live-key limit judged with the organization row locked,
   * the minted key with `scopesFor(role)`, `last_sign_in_at`, and the audit rows `key.create`
   * and `account.login`.
   */
  completeLogin(
    params: CodeAttempt & {
      organizationId?: string;
      key: MintedKeyInput;
      scopesFor(role: Role): Scope[];
      maxLiveKeys: number;
      audit: AuditOrigin;
    },
  ): Promise<LoginOutcome>;
  /**
   * Check a code for an address and, when right, consume it and return the user with their
   * organizations (`last_sign_in_at` set, an `account.login` row without organization). For a
   * sign-in that mints no key (the dashboard's).
   */
  redeemLoginCode(params: CodeAttempt & { audit: AuditOrigin }): Promise<RedeemOutcome>;
  /** The organizations a user belongs to, with their role, by name. */
  listUserOrganizations(userId: string): Promise<UserOrganization[]>;
  /**
   * Create an organization owned by `ownerUserId`, in one transaction with the owner membership
   * and its `organization.create` audit row.
   */
  createOrganizationForUser(params: {
    organization: { id: string; name: string; description: string; size: string | null; createdAt: string };
    ownerUserId: string;
    audit: AuditOrigin;
  }): Promise<OrganizationDetails>;

  // -- dashboard sessions --
  /** Open a session: `idHash` is the SHA-256 of the opaque id in the browser's cookie. */
  createSession(input: NewSessionInput): Promise<void>;
  /**
   * The auth record of the key a session acts as, when the session exists, acts as a key and
   * has not expired at `now`. Like findAuthByHash, a revoked or expired key is returned too: the
   * authentication step judges it, so a session never outlives its key's rights.
   */
  findAuthBySession(idHash: string, now: string): Promise<AuthRecord | undefined>;
  /**
   * A person's session (opened by e-mailed code) that has not expired at `now`: the user, the
   * chosen organization and the user's role there as it is now. Undefined for a key's session.
   */
  findUserBySession(idHash: string, now: string): Promise<UserSessionRecord | undefined>;
  /**
   * Set the organization a person's live session acts in (after they chose one). The caller
   * checks the membership first; false when there is no such live person's session.
   */
  setSessionOrganization(idHash: string, organizationId: string, now: string): Promise<boolean>;
  /** End a session (sign-out); false when there was none. */
  deleteSession(idHash: string): Promise<boolean>;
  /** Remove every session expired at `now`; returns how many. */
  deleteExpiredSessions(now: string): Promise<number>;

  // -- audit --
  /** Append one row on its own (denials that never reach a write transaction). */
  appendAudit(entry: AuditEntryInput): Promise<void>;
  /**
   * Audit rows, newest first. `organizationId`: that organization's rows (null: rows of no
   * organization; absent: every row); `targetUserId`: rows about that person.
   */
  listAudit(filter: {
    organizationId?: string | null;
    targetKeyId?: string;
    targetUserId?: string;
    limit?: number;
  }): Promise<AuditEntry[]>;
  /** One page of an organization's audit log (store/audit-query.ts). */
  queryAudit(query: AuditQuery): Promise<AuditPage>;
  /**
   * The operator's retention (codika-server start --audit-retention-days): delete the rows
   * written before `before`, in one transaction through the gate of migration 0008; returns
   * how many. Nothing else ever deletes an audit row.
   */
  purgeAudit(before: string): Promise<number>;
}
