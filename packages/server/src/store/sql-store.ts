/**
 * The Store, written once with Kysely for every dialect. Dialect-specific set-up lives in
 * the adapters (sqlite.ts, postgres.ts); nothing here branches on the dialect.
 *
 * Concurrency rules kept by every write transaction:
 * - it begins with a write to the row it is about (the "portable row lock": an UPDATE that
 *   matches the row takes the row lock in PostgreSQL and the database write lock in SQLite),
 *   so later reads in the transaction see a state nobody else can change until commit;
 * - scope changes are SQL statements on api_key_scopes rows, never a read-modify-write of a
 *   list in JavaScript;
 * - the write and its audit row commit together or not at all;
 * - a transaction the database aborts as retryable (the adapter decides: on PostgreSQL a
 *   serialization failure or deadlock) is run again from the start, at most
 *   TRANSACTION_ATTEMPTS times in all.
 */

import type { Scope } from '@codika/contract/scopes';
import { canonicalScopes } from '@codika/contract/scopes';
import {
  type Compilable,
  type CompiledQuery,
  DEFAULT_MIGRATION_LOCK_TABLE,
  type Kysely,
  MIGRATION_LOCK_ID,
  type QueryResult,
  sql,
} from 'kysely';
import { newId } from '../ids.js';
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
import { AuthCache } from './auth-cache.js';
import { normalizeEmail } from './emails.js';
import { GroupCommit } from './group-commit.js';
import { fieldsOf } from './key-fields.js';
import { applyLifecycleChange, KeyLifecycleStore, parseAllowedIps } from './key-lifecycle.js';
import { MemberStore } from './members.js';
import type { Database } from './schema.js';
import type {
  AccountAuditBase,
  AddMemberOutcome,
  ApiKeyRecord,
  ApiKeyWithCreator,
  AuditBase,
  AuditEntry,
  AuditEntryInput,
  AuditState,
  AuditStateInput,
  AuthRecord,
  ChangeJudge,
  CodeAttempt,
  CreateOutcome,
  FirstOrganizationInput,
  FirstOrganizationOutcome,
  KeyChange,
  KeyFields,
  KeyJudgeContext,
  LoginCodeInput,
  LoginOutcome,
  MemberActor,
  MemberAuditOrigin,
  MemberRecord,
  MemberRef,
  Membership,
  MintedKeyInput,
  NewKeyInput,
  NewSessionInput,
  Organization,
  OrganizationDetails,
  OrganizationSettingsRecord,
  RedeemOutcome,
  RemoveMemberOutcome,
  RevokeJudge,
  RevokeOutcome,
  Role,
  RotateOutcome,
  SignupOutcome,
  Store,
  UpdateMemberOutcome,
  UpdateOutcome,
  UpdateSettingsOutcome,
  User,
  UserOrganization,
  UserSessionRecord,
} from './types.js';

/** What an adapter hands the shared store: a Kysely instance, its dialect, its retryable errors. */
export interface StoreConnection {
  db: Kysely<Database>;
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
  /** The readiness check (ping): throws unless the database can be read and written. Default: `select 1`. */
  probe?: (db: Kysely<Database>) => Promise<void>;
}

/** Attempts of one write transaction when the database answers a retryable error. */
export const TRANSACTION_ATTEMPTS = 5;

export type Db = Kysely<Database>;

const DEFAULT_AUDIT_LIMIT = 100;

/** Thrown out of a transaction to roll back the change while carrying the outcome out. */
export class RollbackWith<T> extends Error {
  constructor(readonly outcome: T) {
    super('rollback');
  }
}

/**
 * Queries of the hot paths (authentication, update), built and compiled once per shape and
 * then run with new parameter values: building and compiling a Kysely query cost more than
 * running it (the profile of /verifyapikey and /updateorganizationapikeypublic). The query
 * is built with a placeholder per argument; each placeholder's position among the compiled
 * parameters is recorded, so the arguments are bound in the SQL's order on every dialect.
 */
class PrecompiledQueries {
  private readonly queries = new Map<string, { query: CompiledQuery; slots: number[] }>();

  run<Row>(
    db: Db,
    shape: string,
    args: readonly unknown[],
    build: (param: (index: number) => string) => Compilable<Row>,
  ): Promise<QueryResult<Row>> {
    let entry = this.queries.get(shape);
    if (entry === undefined) {
      const placeholders = args.map((_, i) => `\u0000codika-param-${i}\u0000`);
      const query = build((index) => placeholders[index] as string).compile();
      const slots = query.parameters.map((value) => {
        const index = placeholders.indexOf(value as string);
        if (index === -1) throw new Error(`precompiled query ${shape} has a parameter that is not an argument`);
        return index;
      });
      entry = { query, slots };
      this.queries.set(shape, entry);
    }
    const { query, slots } = entry;
    return db.executeQuery<Row>({ ...query, parameters: slots.map((index) => args[index]) } as CompiledQuery<Row>);
  }
}

export { normalizeEmail };

// ---- key reading -----------------------------------------------------------

interface KeyRow {
  id: string;
  organization_id: string;
  created_by_user_id: string;
  created_by_email: string;
  name: string;
  description: string;
  prefix: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  previous_hash_expires_at: string | null;
  disabled_at: string | null;
  allowed_ips: string | null;
  scope: string | null;
}

/** The columns of a key row joined with its creator (`u`) and one scope row (`s`). */
const KEY_COLUMNS = [
  'k.id',
  'k.organization_id',
  'k.created_by_user_id',
  'u.email as created_by_email',
  'k.name',
  'k.description',
  'k.prefix',
  'k.created_at',
  'k.updated_at',
  'k.expires_at',
  'k.revoked_at',
  'k.last_used_at',
  'k.previous_hash_expires_at',
  'k.disabled_at',
  'k.allowed_ips',
  's.scope',
] as const;

/** Keys joined with their creator and their scope rows: one row per (key, scope). */
function keyRows(db: Db) {
  return db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.created_by_user_id')
    .leftJoin('api_key_scopes as s', 's.key_id', 'k.id')
    .select(KEY_COLUMNS);
}

/** Fold (key, scope) rows into keys, keeping the order in which keys first appear. */
function foldKeys(rows: readonly KeyRow[]): ApiKeyWithCreator[] {
  const byId = new Map<string, { row: KeyRow; scopes: string[] }>();
  for (const row of rows) {
    let entry = byId.get(row.id);
    if (!entry) {
      entry = { row, scopes: [] };
      byId.set(row.id, entry);
    }
    if (row.scope !== null) entry.scopes.push(row.scope);
  }
  return [...byId.values()].map(({ row, scopes }) => ({
    id: row.id,
    organizationId: row.organization_id,
    createdByUserId: row.created_by_user_id,
    createdByEmail: row.created_by_email,
    name: row.name,
    description: row.description,
    scopes: canonicalScopes(scopes),
    prefix: row.prefix,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    previousSecretExpiresAt: row.previous_hash_expires_at,
    disabledAt: row.disabled_at,
    allowedIps: parseAllowedIps(row.allowed_ips),
  }));
}

function withoutCreator(key: ApiKeyWithCreator): ApiKeyRecord {
  const { createdByEmail: _ignored, ...record } = key;
  return record;
}

export async function readKey(db: Db, keyId: string, queries?: PrecompiledQueries): Promise<ApiKeyRecord | undefined> {
  const rows = queries
    ? (await queries.run(db, 'readKey', [keyId], (p) => keyRows(db).where('k.id', '=', p(0)))).rows
    : await keyRows(db).where('k.id', '=', keyId).execute();
  const key = foldKeys(rows)[0];
  return key ? withoutCreator(key) : undefined;
}

// ---- audit -----------------------------------------------------------------

const AUDIT_COLUMNS = [
  'id',
  'at',
  'request_id',
  'action',
  'result',
  'reason',
  'actor_key_id',
  'actor_user_id',
  'organization_id',
  'target_key_id',
  'target_user_id',
  'before_json',
  'after_json',
  'source_ip',
  'user_agent',
] as const;

export async function insertAudit(db: Db, entry: AuditEntryInput, queries?: PrecompiledQueries): Promise<void> {
  const values = {
    id: newId(),
    at: entry.at,
    request_id: entry.requestId,
    action: entry.action,
    result: entry.result,
    reason: entry.reason,
    actor_key_id: entry.actorKeyId,
    actor_user_id: entry.actorUserId,
    organization_id: entry.organizationId,
    target_key_id: entry.targetKeyId,
    target_user_id: entry.targetUserId ?? null,
    before_json: stateJson(entry.before),
    after_json: stateJson(entry.after),
    source_ip: entry.sourceIp,
    user_agent: entry.userAgent,
  };
  if (queries === undefined) {
    await db.insertInto('audit_log').values(values).execute();
    return;
  }
  await queries.run(
    db,
    'insertAudit',
    AUDIT_COLUMNS.map((column) => values[column]),
    (p) =>
      db
        .insertInto('audit_log')
        .values(Object.fromEntries(AUDIT_COLUMNS.map((column, i) => [column, p(i)])) as unknown as typeof values),
  );
}

function isKeyFields(state: AuditStateInput): state is KeyFields | ApiKeyRecord {
  return 'scopes' in state;
}

/** An audit state as stored: exactly its own fields, nothing else the caller's object carried. */
function stateJson(state: AuditStateInput | null): string | null {
  if (state === null) return null;
  if (isKeyFields(state)) return JSON.stringify(fieldsOf(state));
  if ('maxKeyLifetimeDays' in state) return JSON.stringify({ maxKeyLifetimeDays: state.maxKeyLifetimeDays });
  if ('role' in state) return JSON.stringify({ email: state.email, role: state.role });
  return JSON.stringify(state.purpose === undefined ? { email: state.email } : { email: state.email, purpose: state.purpose });
}

function parseState(json: string | null): AuditState | null {
  if (json === null) return null;
  const value = JSON.parse(json) as AuditState;
  if (isKeyFields(value)) return fieldsOf({ ...value, scopes: canonicalScopes(value.scopes) });
  if ('maxKeyLifetimeDays' in value) return { maxKeyLifetimeDays: value.maxKeyLifetimeDays };
  if ('role' in value) return { email: value.email, role: value.role };
  return value.purpose === undefined ? { email: value.email } : { email: value.email, purpose: value.purpose };
}

// ---- key writing -------------------------------------------------------------

/**
 * The portable lock on an organization row: creations in one organization queue here, so a
 * count of its live keys made after it cannot be raced past the limit.
 */
export async function lockOrganization(trx: Db, organizationId: string): Promise<boolean> {
  const result = await trx.updateTable('organizations').set({ name: sql`name` }).where('id', '=', organizationId).execute();
  return Number(result[0]?.numUpdatedRows ?? 0) > 0;
}

/** Live (not revoked, not expired at `now`) keys of an organization. */
export async function countLiveKeys(trx: Db, organizationId: string, now: string): Promise<number> {
  const { live } = await trx
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('live'))
    .where('organization_id', '=', organizationId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirstOrThrow();
  return Number(live);
}

/** Insert a key row and its scope rows (canonical order); returns the key as stored. */
export async function insertKey(trx: Db, input: NewKeyInput): Promise<ApiKeyRecord> {
  await trx
    .insertInto('api_keys')
    .values({
      id: input.id,
      organization_id: input.organizationId,
      created_by_user_id: input.createdByUserId,
      name: input.name,
      description: input.description,
      prefix: input.prefix,
      hash: input.hash,
      created_at: input.createdAt,
      updated_at: input.createdAt,
      expires_at: input.expiresAt,
      revoked_at: null,
      last_used_at: null,
    })
    .execute();
  const scopes = canonicalScopes(input.scopes);
  if (scopes.length > 0) {
    await trx
      .insertInto('api_key_scopes')
      .values(scopes.map((scope) => ({ key_id: input.id, scope })))
      .execute();
  }
  const key = await readKey(trx, input.id);
  if (!key) throw new Error('created key not found');
  return key;
}

// ---- the store ---------------------------------------------------------------

export class SqlStore implements Store {
  private readonly db: Db;
  private readonly dialect: SqlDialectName;
  private readonly isRetryable: (err: unknown) => boolean;
  private readonly queries = new PrecompiledQueries();
  private readonly changeToken: CompiledQuery | undefined;
  private readonly authCache = new AuthCache();
  private readonly groupCommit: GroupCommit<Database> | undefined;
  private readonly probe: ((db: Db) => Promise<void>) | undefined;
  private readonly members: MemberStore;
  private readonly lifecycle: KeyLifecycleStore;
  private closed = false;

  constructor(connection: StoreConnection) {
    this.db = connection.db;
    this.dialect = connection.dialect;
    this.isRetryable = connection.isRetryable;
    this.changeToken = connection.changeToken;
    this.groupCommit = connection.groupCommit ? new GroupCommit(connection.db) : undefined;
    this.probe = connection.probe;
    this.members = new MemberStore({
      db: this.db,
      transaction: (fn) => this.transaction(fn),
      insertAudit: (db, entry) => insertAudit(db, entry),
    });
    this.lifecycle = new KeyLifecycleStore({
      db: this.db,
      transaction: (fn) => this.transaction(fn),
      insertAudit: (db, entry) => insertAudit(db, entry),
      keyJudgeContext: (trx, key) => this.keyJudgeContext(trx, key),
      lockLiveKey: (trx, organizationId, keyId, now) => this.lockLiveKey(trx, organizationId, keyId, now),
    });
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
    await this.db.destroy();
  }

  // -- organizations, users, memberships --

  async createOrganization(input: { id: string; name: string; createdAt: string }): Promise<Organization> {
    await this.db.insertInto('organizations').values({ id: input.id, name: input.name, created_at: input.createdAt }).execute();
    return { id: input.id, name: input.name, createdAt: input.createdAt };
  }

  async getOrganization(id: string): Promise<Organization | undefined> {
    const row = await this.db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { id: row.id, name: row.name, createdAt: row.created_at } : undefined;
  }

  async ensureUser(input: { id: string; email: string; createdAt: string }): Promise<User> {
    const email = normalizeEmail(input.email);
    await this.db
      .insertInto('users')
      .values({ id: input.id, email, created_at: input.createdAt })
      .onConflict((oc) => oc.column('email').doNothing())
      .execute();
    const user = await this.getUserByEmail(email);
    if (!user) throw new Error('user vanished after insert');
    return user;
  }

  async getUserByEmail(email: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('email', '=', normalizeEmail(email)).executeTakeFirst();
    return row ? { id: row.id, email: row.email, createdAt: row.created_at } : undefined;
  }

  async setMembership(m: Membership): Promise<void> {
    await this.db
      .insertInto('memberships')
      .values({ organization_id: m.organizationId, user_id: m.userId, role: m.role })
      .onConflict((oc) => oc.columns(['organization_id', 'user_id']).doUpdateSet({ role: m.role }))
      .execute();
  }

  async removeMembership(organizationId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('memberships')
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async getMembership(organizationId: string, userId: string): Promise<Membership | undefined> {
    const row = await this.db
      .selectFrom('memberships')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? { organizationId: row.organization_id, userId: row.user_id, role: row.role } : undefined;
  }

  async isEmpty(): Promise<boolean> {
    const row = await this.db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
    return row === undefined;
  }

  async bootstrapFirstOrganization(input: FirstOrganizationInput): Promise<FirstOrganizationOutcome> {
    return this.transaction(async (trx): Promise<FirstOrganizationOutcome> => {
      // Instances starting together on one empty database queue here: the portable row lock on
      // the one row every migrated database has, the migrator's lock row. The later ones then
      // find an organization below and write nothing.
      await sql`update ${sql.table(DEFAULT_MIGRATION_LOCK_TABLE)} set is_locked = is_locked where id = ${MIGRATION_LOCK_ID}`.execute(
        trx,
      );
      const existing = await trx.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
      if (existing !== undefined) return { status: 'not_empty' };
      const { organization, key } = input;
      const email = normalizeEmail(input.owner.email);
      await trx
        .insertInto('organizations')
        .values({ id: organization.id, name: organization.name, created_at: organization.createdAt })
        .execute();
      await trx
        .insertInto('users')
        .values({ id: input.owner.id, email, created_at: organization.createdAt })
        .onConflict((oc) => oc.column('email').doNothing())
        .execute();
      const owner = await trx
        .selectFrom('users')
        .select(['id', 'email', 'created_at'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('memberships')
        .values({ organization_id: organization.id, user_id: owner.id, role: 'owner', joined_at: organization.createdAt })
        .execute();
      const created = await insertKey(trx, { ...key, organizationId: organization.id, createdByUserId: owner.id });
      await insertAudit(trx, {
        ...input.audit,
        action: 'key.create',
        result: 'allowed',
        reason: null,
        actorKeyId: null,
        actorUserId: null,
        organizationId: organization.id,
        targetKeyId: key.id,
        before: null,
        after: { name: key.name, description: key.description, scopes: canonicalScopes(key.scopes) },
      });
      return {
        status: 'created',
        organization: { ...organization },
        owner: { id: owner.id, email: owner.email, createdAt: owner.created_at },
        key: created,
      };
    });
  }

  // -- keys --

  async findAuthByHash(hash: string): Promise<AuthRecord | undefined> {
    if (this.changeToken === undefined) return this.findAuth('k.hash', hash);
    // The token is read before the rows, each through the driver's queue (auth-cache.ts).
    const { rows } = await this.db.executeQuery(this.changeToken);
    const token = JSON.stringify(rows[0]);
    const cached = this.authCache.get(hash, token);
    if (cached !== undefined) return cached;
    const record = await this.findAuth('k.hash', hash);
    if (record !== undefined) this.authCache.set(hash, token, record);
    return record;
  }

  /** The auth record of one key, found by its hash or (for sessions) its id. */
  private async findAuth(column: 'k.hash' | 'k.id', value: string): Promise<AuthRecord | undefined> {
    const { rows } = await this.queries.run(this.db, `findAuth:${column}`, [value], (p) => this.authQuery(column, p(0)));
    const first = rows[0];
    const key = foldKeys(rows)[0];
    if (!first || !key) return undefined;
    return {
      key: withoutCreator(key),
      organization: { id: first.organization_id, name: first.organization_name, createdAt: first.organization_created_at },
      user: { id: first.created_by_user_id, email: first.created_by_email, createdAt: first.user_created_at },
      role: first.role ?? null,
      // By hash, the row matched either secret; a rotation's previous one only through previous_hash.
      secret: column === 'k.hash' && first.hash !== value ? 'previous' : 'current',
    };
  }

  /** Key, organization, creating user, the user's current role and the scope rows: one query. */
  private authQuery(column: 'k.hash' | 'k.id', value: string) {
    return this.db
      .selectFrom('api_keys as k')
      .innerJoin('organizations as o', 'o.id', 'k.organization_id')
      .innerJoin('users as u', 'u.id', 'k.created_by_user_id')
      .leftJoin('memberships as m', (join) =>
        join.onRef('m.organization_id', '=', 'k.organization_id').onRef('m.user_id', '=', 'k.created_by_user_id'),
      )
      .leftJoin('api_key_scopes as s', 's.key_id', 'k.id')
      .select([
        ...KEY_COLUMNS,
        'o.name as organization_name',
        'o.created_at as organization_created_at',
        'u.created_at as user_created_at',
        'm.role',
        'k.hash',
      ])
      .where((eb) =>
        column === 'k.hash' ? eb.or([eb('k.hash', '=', value), eb('k.previous_hash', '=', value)]) : eb(column, '=', value),
      );
  }

  async touchLastUsed(keyId: string, at: string, staleBefore: string): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
      .where('id', '=', keyId)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', staleBefore)]))
      .execute();
  }

  async createKey(input: NewKeyInput, maxLiveKeys: number, audit: AuditEntryInput): Promise<CreateOutcome> {
    const now = input.createdAt;
    const outcome = await this.transaction(async (trx): Promise<CreateOutcome> => {
      // Concurrent creations in one organization queue on its row; the count cannot be raced.
      await lockOrganization(trx, input.organizationId);
      if ((await countLiveKeys(trx, input.organizationId, now)) >= maxLiveKeys) {
        return { status: 'limit_reached', limit: maxLiveKeys };
      }
      const key = await insertKey(trx, input);
      await insertAudit(trx, audit);
      return { status: 'created', key };
    });
    return outcome;
  }

  async getLiveKey(organizationId: string, keyId: string, now: string): Promise<ApiKeyWithCreator | undefined> {
    const rows = await keyRows(this.db)
      .where('k.id', '=', keyId)
      .where('k.organization_id', '=', organizationId)
      .where('k.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
      .execute();
    return foldKeys(rows)[0];
  }

  async listLiveKeys(organizationId: string, now: string): Promise<ApiKeyWithCreator[]> {
    const rows = await keyRows(this.db)
      .where('k.organization_id', '=', organizationId)
      .where('k.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
      .orderBy('k.created_at', 'asc')
      .orderBy('k.id', 'asc')
      .execute();
    return foldKeys(rows);
  }

  async listInactiveKeys(organizationId: string, now: string, limit = 100): Promise<ApiKeyWithCreator[]> {
    const inactive = this.db
      .selectFrom('api_keys')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('expires_at', '<=', now)]))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    const rows = await keyRows(this.db)
      .where('k.id', 'in', inactive)
      .orderBy('k.created_at', 'desc')
      .orderBy('k.id', 'desc')
      .execute();
    return foldKeys(rows);
  }

  /** The portable row lock: touch the live row without changing it; 0 rows → not live. */
  private async lockLiveKey(trx: Db, organizationId: string, keyId: string, now: string): Promise<boolean> {
    const result = await this.queries.run(trx, 'lockLiveKey', [keyId, organizationId, now], (p) =>
      trx
        .updateTable('api_keys')
        .set({ updated_at: sql`updated_at` })
        .where('id', '=', p(0))
        .where('organization_id', '=', p(1))
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', p(2))])),
    );
    return Number(result.numAffectedRows ?? 0) > 0;
  }

  /** What a key judge is told: the creating user's role in the key's organization, read in the transaction. */
  private async keyJudgeContext(trx: Db, key: ApiKeyRecord): Promise<KeyJudgeContext> {
    // One query: the creator's role (none when no longer a member) and the organization's maximum key lifetime.
    const { rows } = await this.queries.run(trx, 'keyJudgeContext', [key.organizationId, key.createdByUserId], (p) =>
      trx
        .selectFrom('organizations as o')
        .leftJoin('memberships as m', (join) => join.onRef('m.organization_id', '=', 'o.id').on('m.user_id', '=', p(1)))
        .select(['m.role', 'o.max_key_lifetime_days'])
        .where('o.id', '=', p(0)),
    );
    return { creatorRole: rows[0]?.role ?? null, maxKeyLifetimeDays: rows[0]?.max_key_lifetime_days ?? null };
  }

  /** Apply a change to a locked key with SQL statements on its row and its scope rows. */
  private async applyChange(trx: Db, keyId: string, change: KeyChange, now: string): Promise<void> {
    const args: string[] = [keyId, now];
    if (change.name !== undefined) args.push(change.name);
    if (change.description !== undefined) args.push(change.description);
    const hasName = change.name !== undefined;
    const hasDescription = change.description !== undefined;
    await this.queries.run(trx, `updateKeyRow:${hasName}:${hasDescription}`, args, (p) => {
      const set: { updated_at: string; name?: string; description?: string } = { updated_at: p(1) };
      if (hasName) set.name = p(2);
      if (hasDescription) set.description = p(hasName ? 3 : 2);
      return trx.updateTable('api_keys').set(set).where('id', '=', p(0));
    });

    if (change.scopes !== undefined) {
      await this.queries.run(trx, 'deleteScopes', [keyId], (p) => trx.deleteFrom('api_key_scopes').where('key_id', '=', p(0)));
      const scopes = canonicalScopes(change.scopes);
      if (scopes.length > 0) {
        await this.queries.run(trx, `insertScopes:${scopes.length}`, [keyId, ...scopes], (p) =>
          trx.insertInto('api_key_scopes').values(scopes.map((_, i) => ({ key_id: p(0), scope: p(i + 1) }))),
        );
      }
    }
    // add before remove: a scope named in both ends up removed.
    const add = canonicalScopes(change.addScopes ?? []);
    if (add.length > 0) {
      await trx
        .insertInto('api_key_scopes')
        .values(add.map((scope) => ({ key_id: keyId, scope })))
        .onConflict((oc) => oc.columns(['key_id', 'scope']).doNothing())
        .execute();
    }
    const remove = canonicalScopes(change.removeScopes ?? []);
    if (remove.length > 0) {
      await trx.deleteFrom('api_key_scopes').where('key_id', '=', keyId).where('scope', 'in', remove).execute();
    }
    await applyLifecycleChange(trx, keyId, change, now);
  }

  async updateKey(params: {
    organizationId: string;
    keyId: string;
    change: KeyChange;
    dryRun: boolean;
    now: string;
    judge: ChangeJudge;
    audit: AuditBase;
  }): Promise<UpdateOutcome> {
    const { organizationId, keyId, change, dryRun, now, judge, audit } = params;
    let outcome: UpdateOutcome;
    try {
      outcome = await this.transaction(async (trx): Promise<UpdateOutcome> => {
        if (!(await this.lockLiveKey(trx, organizationId, keyId, now))) {
          await insertAudit(
            trx,
            { ...audit, result: 'denied', reason: 'KEY_NOT_FOUND', before: null, after: null },
            this.queries,
          );
          return { status: 'not_found' };
        }
        const before = await readKey(trx, keyId, this.queries);
        if (!before) throw new Error('locked key not found');
        const context = await this.keyJudgeContext(trx, before);
        await this.applyChange(trx, keyId, change, now);
        const after = await readKey(trx, keyId, this.queries);
        if (!after) throw new Error('updated key not found');

        const verdict = judge(before, fieldsOf(after), context);
        if (verdict) {
          throw new RollbackWith<UpdateOutcome>({
            status: 'denied',
            code: verdict.code,
            ...(verdict.details === undefined ? {} : { details: verdict.details }),
            before,
            after: fieldsOf(after),
          });
        }
        if (dryRun) throw new RollbackWith<UpdateOutcome>({ status: 'dry_run', before, after });

        await insertAudit(trx, { ...audit, result: 'allowed', reason: null, before, after }, this.queries);
        return { status: 'updated', before, after };
      });
    } catch (err) {
      if (!(err instanceof RollbackWith)) throw err;
      // The change is rolled back; the attempt is still recorded, on its own.
      outcome = err.outcome as UpdateOutcome;
      if (outcome.status === 'denied') {
        await insertAudit(this.db, {
          ...audit,
          result: 'denied',
          reason: outcome.code,
          before: outcome.before,
          after: outcome.after,
        });
      } else if (outcome.status === 'dry_run') {
        await insertAudit(this.db, { ...audit, result: 'dry_run', reason: null, before: outcome.before, after: outcome.after });
      }
    }
    return outcome;
  }

  async revokeKey(params: {
    organizationId: string;
    keyId: string;
    now: string;
    judge?: RevokeJudge;
    audit: AuditBase;
  }): Promise<RevokeOutcome> {
    const { organizationId, keyId, now, judge, audit } = params;
    return this.transaction(async (trx): Promise<RevokeOutcome> => {
      if (!(await this.lockLiveKey(trx, organizationId, keyId, now))) {
        await insertAudit(trx, { ...audit, result: 'denied', reason: 'KEY_NOT_FOUND', before: null, after: null });
        return { status: 'not_found' };
      }
      const before = await readKey(trx, keyId);
      if (!before) throw new Error('locked key not found');
      const verdict = judge ? judge(before, await this.keyJudgeContext(trx, before)) : null;
      if (verdict) {
        // Nothing was changed: the denial's row commits on its own in this transaction.
        await insertAudit(trx, { ...audit, result: 'denied', reason: verdict.code, before, after: null });
        return { status: 'denied', code: verdict.code, ...(verdict.details === undefined ? {} : { details: verdict.details }) };
      }
      await trx.updateTable('api_keys').set({ revoked_at: now, updated_at: now }).where('id', '=', keyId).execute();
      await insertAudit(trx, { ...audit, result: 'allowed', reason: null, before, after: null });
      const key = await readKey(trx, keyId);
      if (!key) throw new Error('revoked key not found');
      return { status: 'revoked', key };
    });
  }

  // -- key lifecycle (store/key-lifecycle.ts) --

  rotateKey(params: Parameters<Store['rotateKey']>[0]): Promise<RotateOutcome> {
    return this.lifecycle.rotate(params);
  }

  getOrganizationSettings(organizationId: string): Promise<OrganizationSettingsRecord | undefined> {
    return this.lifecycle.getSettings(organizationId);
  }

  updateOrganizationSettings(params: Parameters<Store['updateOrganizationSettings']>[0]): Promise<UpdateSettingsOutcome> {
    return this.lifecycle.updateSettings(params);
  }

  // -- members (store/members.ts) --

  listMembers(organizationId: string, now: string): Promise<MemberRecord[]> {
    return this.members.list(organizationId, now);
  }

  addMember(params: {
    organizationId: string;
    email: string;
    role: Role;
    newUserId: string;
    now: string;
    actor: MemberActor;
    audit: MemberAuditOrigin;
  }): Promise<AddMemberOutcome> {
    return this.members.add(params);
  }

  updateMemberRole(params: {
    organizationId: string;
    member: MemberRef;
    role: Role;
    now: string;
    actor: MemberActor;
    audit: MemberAuditOrigin;
  }): Promise<UpdateMemberOutcome> {
    return this.members.updateRole(params);
  }

  removeMember(params: {
    organizationId: string;
    member: MemberRef;
    now: string;
    actor: MemberActor;
    audit: MemberAuditOrigin;
  }): Promise<RemoveMemberOutcome> {
    return this.members.remove(params);
  }

  // -- accounts (the queries live in accounts.ts) --

  private get accounts() {
    return { db: this.db, transaction: <T>(fn: (trx: Db) => Promise<T>) => this.transaction(fn) };
  }

  saveLoginCode(input: LoginCodeInput): Promise<void> {
    return saveLoginCode(this.accounts, input);
  }

  deleteLoginCode(email: string, codeHash?: string): Promise<boolean> {
    return deleteLoginCode(this.accounts, email, codeHash);
  }

  completeSignup(
    params: CodeAttempt & {
      userId: string;
      organization: { id: string; name: string; description: string; size: string | null };
      key: MintedKeyInput;
      scopes: Scope[];
      audit: AccountAuditBase;
    },
  ): Promise<SignupOutcome> {
    return completeSignup(this.accounts, params);
  }

  completeLogin(
    params: CodeAttempt & {
      organizationId?: string;
      key: MintedKeyInput;
      scopesFor(role: Role): Scope[];
      maxLiveKeys: number;
      audit: AccountAuditBase;
    },
  ): Promise<LoginOutcome> {
    return completeLogin(this.accounts, params);
  }

  redeemLoginCode(params: CodeAttempt & { audit: AccountAuditBase }): Promise<RedeemOutcome> {
    return redeemLoginCode(this.accounts, params);
  }

  listUserOrganizations(userId: string): Promise<UserOrganization[]> {
    return listUserOrganizations(this.db, userId);
  }

  createOrganizationForUser(params: {
    organization: { id: string; name: string; description: string; size: string | null; createdAt: string };
    ownerUserId: string;
    audit: AccountAuditBase;
  }): Promise<OrganizationDetails> {
    return createOrganizationForUser(this.accounts, params);
  }

  // -- dashboard sessions --

  async createSession(input: NewSessionInput): Promise<void> {
    const actor =
      'keyId' in input
        ? { key_id: input.keyId, user_id: null, organization_id: null }
        : { key_id: null, user_id: input.userId, organization_id: input.organizationId };
    await this.db
      .insertInto('sessions')
      .values({ id_hash: input.idHash, ...actor, created_at: input.createdAt, expires_at: input.expiresAt })
      .execute();
  }

  async findAuthBySession(idHash: string, now: string): Promise<AuthRecord | undefined> {
    const session = await this.db
      .selectFrom('sessions')
      .select('key_id')
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return session?.key_id ? this.findAuth('k.id', session.key_id) : undefined;
  }

  async findUserBySession(idHash: string, now: string): Promise<UserSessionRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions as x')
      .innerJoin('users as u', 'u.id', 'x.user_id')
      .leftJoin('organizations as o', 'o.id', 'x.organization_id')
      .leftJoin('memberships as m', (join) =>
        join.onRef('m.organization_id', '=', 'x.organization_id').onRef('m.user_id', '=', 'x.user_id'),
      )
      .select([
        'u.id as user_id',
        'u.email',
        'u.created_at as user_created_at',
        'o.id as organization_id',
        'o.name as organization_name',
        'o.created_at as organization_created_at',
        'm.role',
      ])
      .where('x.id_hash', '=', idHash)
      .where('x.expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    const organization =
      row.organization_id !== null && row.organization_name !== null && row.organization_created_at !== null
        ? { id: row.organization_id, name: row.organization_name, createdAt: row.organization_created_at }
        : null;
    return {
      user: { id: row.user_id, email: row.email, createdAt: row.user_created_at },
      organization,
      role: organization === null ? null : (row.role ?? null),
    };
  }

  async setSessionOrganization(idHash: string, organizationId: string, now: string): Promise<boolean> {
    const result = await this.db
      .updateTable('sessions')
      .set({ organization_id: organizationId })
      .where('id_hash', '=', idHash)
      .where('user_id', 'is not', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deleteSession(idHash: string): Promise<boolean> {
    const result = await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    const result = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // -- audit --

  async appendAudit(entry: AuditEntryInput): Promise<void> {
    await insertAudit(this.db, entry);
  }

  async listAudit(filter: {
    organizationId?: string | null;
    targetKeyId?: string;
    targetUserId?: string;
    limit?: number;
  }): Promise<AuditEntry[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (filter.organizationId === null) query = query.where('organization_id', 'is', null);
    else if (filter.organizationId !== undefined) query = query.where('organization_id', '=', filter.organizationId);
    if (filter.targetKeyId !== undefined) query = query.where('target_key_id', '=', filter.targetKeyId);
    if (filter.targetUserId !== undefined) query = query.where('target_user_id', '=', filter.targetUserId);
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? DEFAULT_AUDIT_LIMIT)
      .execute();
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      requestId: row.request_id,
      action: row.action,
      result: row.result,
      reason: row.reason,
      actorKeyId: row.actor_key_id,
      actorUserId: row.actor_user_id,
      organizationId: row.organization_id,
      targetKeyId: row.target_key_id,
      targetUserId: row.target_user_id,
      before: parseState(row.before_json),
      after: parseState(row.after_json),
      sourceIp: row.source_ip,
      userAgent: row.user_agent,
    }));
  }
}
