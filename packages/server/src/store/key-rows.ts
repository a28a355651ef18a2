/**
 * Key rows: the columns of a key joined with its creator and its scope rows, their folding
 * into records, and the writes every key-making path shares (the organization row lock, the
 * live-key count, the insert of a key with its scope rows and its audit row).
 */
import { canonicalScopes } from '@codika/contract/scopes';
import { sql } from 'kysely';
import { insertAudit } from './audit.js';
import type { Db } from './db.js';
import { fieldsOf } from './key-fields.js';
import { parseAllowedIps } from './key-lifecycle.js';
import type { PrecompiledQueries } from './precompiled.js';
import type { ApiKeyRecord, ApiKeyWithCreator, AuditOrigin, NewKeyInput } from './types.js';

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
export const KEY_COLUMNS = [
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
