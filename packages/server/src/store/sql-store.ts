/**
 * The Store, written once with Kysely for every dialect. Dialect-specific set-up lives in
 * the adapters (sqlite.ts, postgres.ts); nothing here or in the modules below branches on
 * the dialect. SqlStore owns the connection and the write transaction and wires the modules
 * that hold the queries:
 * - keys.ts (authentication, creation, update, revocation) on key-rows.ts (key rows and their
 *   folding, the one-row authentication lookup, the key insert), key-update.ts (an update in
 *   few round trips), auth-cache.ts with auth-fence.ts (the auth cache, exact across
 *   instances on PostgreSQL) and precompiled.ts (the hot queries compiled once);
 * - organizations.ts (organizations, users, memberships, the first organization), members.ts,
 *   accounts.ts (codes, sign-up, sign-in), sessions.ts (dashboard sessions);
 * - audit.ts (the audit rows: insert, states as JSON, listing); audit-query.ts (pages of the
 *   log with filters and cursors, the operator's retention purge);
 * - key-list.ts (the key list with its filters and orders).
 *
 * Concurrency rules kept by every write transaction:
 * - it begins with a write to the row it is about (the "portable row lock": an UPDATE that
 *   matches the row takes the row lock in PostgreSQL and the database write lock in SQLite),
 *   so later reads in the transaction see a state nobody else can change until commit;
 * - scope changes are SQL statements on api_key_scopes rows; what they write is computed from
 *   rows read after the key's row lock, which every writer of a key's scope rows takes first
 *   (key-update.ts);
 * - the write and its audit row commit together or not at all;
 * - a transaction the database aborts as retryable (the adapter decides: on PostgreSQL a
 *   serialization failure or deadlock) is run again from the start, at most
 *   TRANSACTION_ATTEMPTS times in all.
 */

import { type CompiledQuery, sql } from 'kysely';
import { migrateToLatest, type SqlDialectName } from '../migrations/index.js';
import {
  completeLogin,
  completeSignup,
  createOrganizationForUser,
  deleteLoginCode,
  listUserOrganizations,
  redeemLoginCode,
  saveLoginCode,
} from './accounts.js';
import { insertAudit, listAudit } from './audit.js';
import { purgeAuditBefore, queryAudit } from './audit-query.js';
import type { AuthFence } from './auth-fence.js';
import type { Db, SqlContext, StoreParams } from './db.js';
import { GroupCommit } from './group-commit.js';
import { KeyLifecycleStore } from './key-lifecycle.js';
import { listKeys } from './key-list.js';
import { lockLiveKey } from './key-update.js';
import { KeyStore } from './keys.js';
import { MemberStore } from './members.js';
import { OrganizationStore } from './organizations.js';
import { PrecompiledQueries } from './precompiled.js';
import type { Database } from './schema.js';
import { SessionStore } from './sessions.js';
import type {
  AddMemberOutcome,
  ApiKeyWithCreator,
  AuditEntry,
  AuditEntryInput,
  AuditOrigin,
  AuditPage,
  AuditQuery,
  AuthRecord,
  CreateOutcome,
  Denial,
  FirstOrganizationInput,
  FirstOrganizationOutcome,
  KeyListQuery,
  LoginCodeInput,
  LoginOutcome,
  MemberRecord,
  Membership,
  NewKeyInput,
  NewSessionInput,
  Organization,
  OrganizationDetails,
  OrganizationSettingsRecord,
  RedeemOutcome,
  RemoveMemberOutcome,
  RevokeKeyParams,
  RevokeOutcome,
  RotateKeyParams,
  RotateOutcome,
  SignupOutcome,
  Store,
  StoreUsage,
  UpdateKeyParams,
  UpdateMemberOutcome,
  UpdateOutcome,
  UpdateSettingsOutcome,
  User,
  UserOrganization,
  UserSessionRecord,
} from './types.js';

/** What an adapter hands the shared store: a Kysely instance, its dialect, its retryable errors. */
export interface StoreConnection {
  db: Db;
  dialect: SqlDialectName;
  /** True for an error after which the whole transaction may be run again. */
  isRetryable(err: unknown): boolean;
  /**
   * A one-row query whose values change whenever the database may have changed since it last
   * ran (see auth-cache.ts). Adapters that have none leave it out: every lookup reads the rows.
   */
  changeToken?: CompiledQuery;
  /**
   * True where transactions run one at a time on one connection (SQLite): concurrent write
   * transactions then share one COMMIT (group-commit.ts) instead of one durable sync each.
   */
  groupCommit?: boolean;
  /**
   * True where data-modifying CTEs exist (PostgreSQL): the writes of a key update then go to the
   * database as one statement, one round trip (key-update.ts).
   */
  writesInOneStatement?: boolean;
  /**
   * PostgreSQL: tells when a cached auth record may be served (auth-fence.ts); with it, the
   * auth cache works across instances. Adapters without it (and without changeToken) read the
   * rows on every lookup.
   */
  authFence?: AuthFence;
  /** The readiness check (ping): throws unless the database can be read and written. Default: `select 1`. */
  probe?: (db: Db) => Promise<void>;
  /** The connection pool's use, for the metrics (PostgreSQL). */
  usage?: () => StoreUsage;
}

/** Attempts of one write transaction when the database answers a retryable error. */
export const TRANSACTION_ATTEMPTS = 5;

export class SqlStore implements Store {
  private readonly db: Db;
  private readonly dialect: SqlDialectName;
  private readonly isRetryable: (err: unknown) => boolean;
  private readonly groupCommit: GroupCommit<Database> | undefined;
  private readonly probe: ((db: Db) => Promise<void>) | undefined;
  private readonly connectionUsage: (() => StoreUsage) | undefined;
  private readonly authFence: AuthFence | undefined;
  private readonly keys: KeyStore;
  private readonly lifecycle: KeyLifecycleStore;
  private readonly organizations: OrganizationStore;
  private readonly members: MemberStore;
  private readonly sessions: SessionStore;
  /** What accounts.ts's functions are given. */
  private readonly accounts: SqlContext;
  private closed = false;

  constructor(connection: StoreConnection) {
    this.db = connection.db;
    this.dialect = connection.dialect;
    this.isRetryable = connection.isRetryable;
    this.groupCommit = connection.groupCommit ? new GroupCommit(connection.db) : undefined;
    this.probe = connection.probe;
    this.connectionUsage = connection.usage;
    this.authFence = connection.authFence;
    const ctx: SqlContext = {
      db: this.db,
      transaction: (fn) => this.transaction(fn),
      queries: new PrecompiledQueries(),
    };
    this.accounts = ctx;
    this.keys = new KeyStore(ctx, {
      changeToken: connection.changeToken,
      authFence: connection.authFence,
      writesInOneStatement: connection.writesInOneStatement === true,
    });
    this.organizations = new OrganizationStore(ctx);
    this.members = new MemberStore(ctx);
    this.sessions = new SessionStore(ctx, (keyId) => this.keys.findAuthByKeyId(keyId));
    this.lifecycle = new KeyLifecycleStore({
      ...ctx,
      insertAudit: (db, entry) => insertAudit(db, entry),
      keyJudgeContext: (trx, key) => this.keys.keyJudgeContext(trx, key),
      lockLiveKey: (trx, organizationId, keyId, now) => lockLiveKey(trx, ctx.queries, organizationId, keyId, now),
    });
  }

  usage(): StoreUsage {
    return this.connectionUsage?.() ?? {};
  }

  observeGroupCommits(observer: (transactions: number) => void): void {
    if (this.groupCommit !== undefined) this.groupCommit.observer = observer;
  }

  /** Run `fn` in one transaction; run it again (bounded, with a short jittered pause) when retryable. */
  private async transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
    if (this.groupCommit !== undefined) return this.groupCommit.run(fn);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction().execute(fn);
      } catch (err) {
        if (attempt >= TRANSACTION_ATTEMPTS || !this.isRetryable(err)) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  async migrate(): Promise<void> {
    await migrateToLatest(this.db, { dialect: this.dialect });
  }

  async ping(): Promise<void> {
    if (this.probe) await this.probe(this.db);
    else await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.authFence?.close();
    await this.db.destroy();
  }

  // -- organizations, users, memberships (organizations.ts) --

  createOrganization(input: StoreParams<'createOrganization'>): Promise<Organization> {
    return this.organizations.createOrganization(input);
  }

  getOrganization(id: string): Promise<Organization | undefined> {
    return this.organizations.getOrganization(id);
  }

  ensureUser(input: StoreParams<'ensureUser'>): Promise<User> {
    return this.organizations.ensureUser(input);
  }

  getUserByEmail(email: string): Promise<User | undefined> {
    return this.organizations.getUserByEmail(email);
  }

  setMembership(m: Membership): Promise<void> {
    return this.organizations.setMembership(m);
  }

  removeMembership(organizationId: string, userId: string): Promise<boolean> {
    return this.organizations.removeMembership(organizationId, userId);
  }

  getMembership(organizationId: string, userId: string): Promise<Membership | undefined> {
    return this.organizations.getMembership(organizationId, userId);
  }

  isEmpty(): Promise<boolean> {
    return this.organizations.isEmpty();
  }

  bootstrapFirstOrganization(input: FirstOrganizationInput): Promise<FirstOrganizationOutcome> {
    return this.organizations.bootstrapFirstOrganization(input);
  }

  // -- keys (keys.ts) --

  findAuthByHash(hash: string): Promise<AuthRecord | undefined> {
    return this.keys.findAuthByHash(hash);
  }

  touchLastUsed(keyId: string, at: string, staleBefore: string, ip?: string | null): Promise<void> {
    return this.keys.touchLastUsed(keyId, at, staleBefore, ip);
  }

  createKey(input: NewKeyInput, maxLiveKeys: number, audit: AuditOrigin): Promise<CreateOutcome> {
    return this.keys.createKey(input, maxLiveKeys, audit);
  }

  getLiveKey(organizationId: string, keyId: string, now: string): Promise<ApiKeyWithCreator | undefined> {
    return this.keys.getLiveKey(organizationId, keyId, now);
  }

  listLiveKeys(organizationId: string, now: string): Promise<ApiKeyWithCreator[]> {
    return this.keys.listLiveKeys(organizationId, now);
  }

  listKeys(query: KeyListQuery): Promise<ApiKeyWithCreator[]> {
    return listKeys(this.db, query);
  }

  listInactiveKeys(organizationId: string, now: string, limit?: number): Promise<ApiKeyWithCreator[]> {
    return this.keys.listInactiveKeys(organizationId, now, limit);
  }

  updateKey<D extends Denial>(params: UpdateKeyParams<D>): Promise<UpdateOutcome<D>> {
    return this.keys.updateKey(params);
  }

  revokeKey<D extends Denial>(params: RevokeKeyParams<D>): Promise<RevokeOutcome<D>> {
    return this.keys.revokeKey(params);
  }

  // -- key lifecycle (key-lifecycle.ts) --

  rotateKey<D extends Denial>(params: RotateKeyParams<D>): Promise<RotateOutcome<D>> {
    return this.lifecycle.rotate(params);
  }

  getOrganizationSettings(organizationId: string): Promise<OrganizationSettingsRecord | undefined> {
    return this.lifecycle.getSettings(organizationId);
  }

  updateOrganizationSettings(params: StoreParams<'updateOrganizationSettings'>): Promise<UpdateSettingsOutcome> {
    return this.lifecycle.updateSettings(params);
  }

  // -- members (members.ts) --

  listMembers(organizationId: string, now: string): Promise<MemberRecord[]> {
    return this.members.list(organizationId, now);
  }

  addMember(params: StoreParams<'addMember'>): Promise<AddMemberOutcome> {
    return this.members.add(params);
  }

  updateMemberRole(params: StoreParams<'updateMemberRole'>): Promise<UpdateMemberOutcome> {
    return this.members.updateRole(params);
  }

  removeMember(params: StoreParams<'removeMember'>): Promise<RemoveMemberOutcome> {
    return this.members.remove(params);
  }

  // -- accounts (accounts.ts) --

  saveLoginCode(input: LoginCodeInput): Promise<void> {
    return saveLoginCode(this.accounts, input);
  }

  deleteLoginCode(email: string, codeHash?: string): Promise<boolean> {
    return deleteLoginCode(this.accounts, email, codeHash);
  }

  completeSignup(params: StoreParams<'completeSignup'>): Promise<SignupOutcome> {
    return completeSignup(this.accounts, params);
  }

  completeLogin(params: StoreParams<'completeLogin'>): Promise<LoginOutcome> {
    return completeLogin(this.accounts, params);
  }

  redeemLoginCode(params: StoreParams<'redeemLoginCode'>): Promise<RedeemOutcome> {
    return redeemLoginCode(this.accounts, params);
  }

  listUserOrganizations(userId: string): Promise<UserOrganization[]> {
    return listUserOrganizations(this.db, userId);
  }

  createOrganizationForUser(params: StoreParams<'createOrganizationForUser'>): Promise<OrganizationDetails> {
    return createOrganizationForUser(this.accounts, params);
  }

  // -- dashboard sessions (sessions.ts) --

  createSession(input: NewSessionInput): Promise<void> {
    return this.sessions.createSession(input);
  }

  findAuthBySession(idHash: string, now: string): Promise<AuthRecord | undefined> {
    return this.sessions.findAuthBySession(idHash, now);
  }

  findUserBySession(idHash: string, now: string): Promise<UserSessionRecord | undefined> {
    return this.sessions.findUserBySession(idHash, now);
  }

  setSessionOrganization(idHash: string, organizationId: string, now: string): Promise<boolean> {
    return this.sessions.setSessionOrganization(idHash, organizationId, now);
  }

  deleteSession(idHash: string): Promise<boolean> {
    return this.sessions.deleteSession(idHash);
  }

  deleteExpiredSessions(now: string): Promise<number> {
    return this.sessions.deleteExpiredSessions(now);
  }

  // -- audit (audit.ts) --

  async appendAudit(entry: AuditEntryInput): Promise<void> {
    await insertAudit(this.db, entry);
  }

  listAudit(filter: StoreParams<'listAudit'>): Promise<AuditEntry[]> {
    return listAudit(this.db, filter);
  }

  queryAudit(query: AuditQuery): Promise<AuditPage> {
    return queryAudit(this.db, query);
  }

  purgeAudit(before: string): Promise<number> {
    return this.transaction((trx) => purgeAuditBefore(trx, before));
  }
}
