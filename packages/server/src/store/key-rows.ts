/**
 * Key rows: the columns of a key joined with its creator and its scope rows, their folding
 * into records, and the writes every key-making path shares (the organization row lock, the
 * live-key count, the insert of a key with its scope rows and its audit row).
 */
import { canonicalScopes, type Scope } from '@codika/contract/scopes';
import { type ExpressionBuilder, sql } from 'kysely';
import { insertAudit } from './audit.js';
import type { Db } from './db.js';
import { fieldsOf } from './key-fields.js';
import { parseAllowedIps } from './key-lifecycle.js';
import type { PrecompiledQueries } from './precompiled.js';
import type { Database } from './schema.js';
import type { ApiKeyRecord, ApiKeyWithCreator, AuditOrigin, AuthRecord, NewKeyInput, Role } from './types.js';

/** A key row joined with its creator's e-mail and one of its scope rows (see keyRows). */
export type KeyRow = Omit<KeyRowWithScopes, 'scopes'> & { created_by_email: string; scope: string | null };

/** The key's own columns, as every one-row key read selects them. */
export const KEY_ROW_COLUMNS = [
  'k.id',
  'k.organization_id',
  'k.created_by_user_id',
  'k.name',
  'k.description',
  'k.prefix',
  'k.created_at',
  'k.updated_at',
  'k.expires_at',
  'k.revoked_at',
  'k.last_used_at',
  'k.last_used_ip',
  'k.previous_hash_expires_at',
  'k.disabled_at',
  'k.allowed_ips',
] as const;

/** The columns of a key row joined with its creator (`u`) and one scope row (`s`). */
export const KEY_COLUMNS = [...KEY_ROW_COLUMNS, 'u.email as created_by_email', 's.scope'] as const;

/** Keys joined with their creator and their scope rows: one row per (key, scope). */
export function keyRows(db: Db) {
  return db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.created_by_user_id')
    .leftJoin('api_key_scopes as s', 's.key_id', 'k.id')
    .select(KEY_COLUMNS);
}

/** Fold (key, scope) rows into keys, keeping the order in which keys first appear. */
export function foldKeys(rows: readonly KeyRow[]): ApiKeyWithCreator[] {
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
    ...recordOf(row, canonicalScopes(scopes)),
    createdByEmail: row.created_by_email,
  }));
}

export function withoutCreator(key: ApiKeyWithCreator): ApiKeyRecord {
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

/**
 * The portable lock on an organization row (false when there is no such organization):
 * creations in one organization queue here, so a count of its live keys made after it cannot
 * be raced past the limit; member changes queue here too (members.ts).
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

/**
 * Insert a key row, its scope rows (canonical order) and its `key.create` audit row (after =
 * the key's fields as stored): every path that makes a key (the API, the operator CLI, the
 * first start, sign-up and sign-in) makes it here. Returns the key as stored.
 */
export async function insertKey(
  trx: Db,
  input: NewKeyInput,
  audit: AuditOrigin & { targetUserId?: string | null },
): Promise<ApiKeyRecord> {
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
  await insertAudit(trx, {
    ...audit,
    action: 'key.create',
    result: 'allowed',
    reason: null,
    organizationId: key.organizationId,
    targetKeyId: key.id,
    before: null,
    after: fieldsOf(key),
  });
  return key;
}

// ---- one row per key (issue 14) ---------------------------------------------

/*
 * One row per key: the hot reads (authentication, the update's read under its lock) fetch a
 * key with its scope rows aggregated into one column (`string_agg`, which SQLite ≥ 3.44 and
 * PostgreSQL both have), instead of one joined row per scope. An owner key holds ten scopes:
 * the join sent ten rows of seventeen columns (sixty timestamps to format on PostgreSQL's side
 * and to parse on ours) for one record — the largest item of the PostgreSQL /verifyapikey
 * profile after the socket writes (docs/performance.md).
 *
 * Scope names are the contract's fixed list (`area:action`, no commas), so a comma separates
 * them; the order is the contract's canonical one, applied here.
 *
 * To extend the authentication lookup (more key or organization columns), add the column to
 * AUTH_COLUMNS and read it in authRecordOf: it stays one query and one row.
 */
/** The scope rows of key `k`, as one comma-separated string (null without scopes). */
export function aggregatedScopes(eb: ExpressionBuilder<Database & { k: Database['api_keys'] }, 'k'>) {
  return eb
    .selectFrom('api_key_scopes as s')
    .select(sql<string | null>`string_agg(s.scope, ',')`.as('scopes'))
    .whereRef('s.key_id', '=', 'k.id');
}

export function splitScopes(value: string | null): Scope[] {
  return value === null || value === '' ? [] : canonicalScopes(value.split(','));
}

export interface KeyRowWithScopes {
  id: string;
  organization_id: string;
  created_by_user_id: string;
  name: string;
  description: string;
  prefix: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  last_used_ip: string | null;
  previous_hash_expires_at: string | null;
  disabled_at: string | null;
  allowed_ips: string | null;
  scopes: string | null;
}

export function keyRecordOf(row: KeyRowWithScopes): ApiKeyRecord {
  return recordOf(row, splitScopes(row.scopes));
}

/** A key row's fields as a record, with its scopes (read either way). */
function recordOf(row: Omit<KeyRowWithScopes, 'scopes'>, scopes: ApiKeyRecord['scopes']): ApiKeyRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    createdByUserId: row.created_by_user_id,
    name: row.name,
    description: row.description,
    scopes,
    prefix: row.prefix,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    previousSecretExpiresAt: row.previous_hash_expires_at,
    disabledAt: row.disabled_at,
    allowedIps: parseAllowedIps(row.allowed_ips),
  };
}

/**
 * The tables authQuery reads. On PostgreSQL each carries the trigger of migration 0009, which
 * tells every instance's auth cache of a write (auth-fence.ts): a table added to the lookup goes
 * here and gets that trigger in a new migration (auth-fence.test.ts compares the two).
 */
export const AUTH_TABLES = ['api_keys', 'api_key_scopes', 'organizations', 'users', 'memberships'] as const;

/**
 * The authentication lookup: key, organization, creating user, the user's current role and the
 * scopes, in one query returning one row (or none), found by the key's hash or (for dashboard
 * sessions) its id.
 */
export function authQuery(db: Db, column: 'k.hash' | 'k.id', value: string) {
  return (
    db
      .selectFrom('api_keys as k')
      .innerJoin('organizations as o', 'o.id', 'k.organization_id')
      .innerJoin('users as u', 'u.id', 'k.created_by_user_id')
      .leftJoin('memberships as m', (join) =>
        join.onRef('m.organization_id', '=', 'k.organization_id').onRef('m.user_id', '=', 'k.created_by_user_id'),
      )
      .select(KEY_ROW_COLUMNS)
      .select((eb) => [
        aggregatedScopes(eb).as('scopes'),
        'o.name as organization_name',
        'o.created_at as organization_created_at',
        'u.email as user_email',
        'u.created_at as user_created_at',
        'm.role',
        'k.hash',
      ])
      // By hash, either of the key's secrets: its current one, or a rotation's previous one (issue 12).
      .where((eb) =>
        column === 'k.hash' ? eb.or([eb('k.hash', '=', value), eb('k.previous_hash', '=', value)]) : eb(column, '=', value),
      )
  );
}

export interface AuthRow extends KeyRowWithScopes {
  organization_name: string;
  organization_created_at: string;
  user_email: string;
  user_created_at: string;
  role: Role | null;
  hash: string;
}

/** `value`: what the lookup was by; by hash, a match that is not the current hash is the previous secret. */
export function authRecordOf(row: AuthRow, column: 'k.hash' | 'k.id' = 'k.id', value = ''): AuthRecord {
  return {
    key: keyRecordOf(row),
    organization: { id: row.organization_id, name: row.organization_name, createdAt: row.organization_created_at },
    user: { id: row.created_by_user_id, email: row.user_email, createdAt: row.user_created_at },
    role: row.role ?? null,
    secret: column === 'k.hash' && row.hash !== value ? 'previous' : 'current',
  };
}

/**
 * A key with its scopes and its creator's current role in the key's organization, by id:
 * what an update judges, read (in a statement after the one that took the key's row lock, so
 * on PostgreSQL it sees every change committed before the lock was granted) in one query.
 */
export function keyForChangeQuery(db: Db, keyId: string) {
  return db
    .selectFrom('api_keys as k')
    .innerJoin('organizations as o', 'o.id', 'k.organization_id')
    .leftJoin('memberships as m', (join) =>
      join.onRef('m.organization_id', '=', 'k.organization_id').onRef('m.user_id', '=', 'k.created_by_user_id'),
    )
    .select(KEY_ROW_COLUMNS)
    .select((eb) => [aggregatedScopes(eb).as('scopes'), 'm.role as creator_role', 'o.max_key_lifetime_days'])
    .where('k.id', '=', keyId);
}
