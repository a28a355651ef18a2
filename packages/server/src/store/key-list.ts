/**
 * The key list with its filters (`/listorganizationapikeyspublic` with state, unusedSince,
 * expiresBefore, sort): one query on key-rows.ts's rows, written once with Kysely for every
 * dialect.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';
import { foldKeys, keyRows } from './key-rows.js';
import type { ApiKeyWithCreator, KeyListQuery } from './types.js';

export async function listKeys(db: Db, query: KeyListQuery): Promise<ApiKeyWithCreator[]> {
  const { now } = query;
  let q = keyRows(db).where('k.organization_id', '=', query.organizationId);
  switch (query.state) {
    case 'live':
      q = q
        .where('k.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]));
      break;
    case 'revoked':
      q = q.where('k.revoked_at', 'is not', null);
      break;
    case 'expired':
      q = q.where('k.revoked_at', 'is', null).where('k.expires_at', '<=', now);
      break;
    case 'disabled':
      q = q
        .where('k.revoked_at', 'is', null)
        .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
        .where('k.disabled_at', 'is not', null);
      break;
  }
  if (query.unusedSince !== undefined) {
    const since = query.unusedSince;
    q = q.where((eb) =>
      eb.or([eb('k.last_used_at', '<', since), eb.and([eb('k.last_used_at', 'is', null), eb('k.created_at', '<', since)])]),
    );
  }
  if (query.expiresBefore !== undefined) {
    q = q.where('k.expires_at', 'is not', null).where('k.expires_at', '<', query.expiresBefore);
  }
  switch (query.sort) {
    case 'created':
      q = q.orderBy('k.created_at', 'asc');
      break;
    case 'name':
      q = q.orderBy(sql`lower(k.name)`, 'asc').orderBy('k.name', 'asc');
      break;
    case 'last-used':
      // Never used first (the stalest), then the oldest last use; NULLs sort alike on both databases.
      q = q.orderBy(sql`case when k.last_used_at is null then 0 else 1 end`, 'asc').orderBy('k.last_used_at', 'asc');
      break;
  }
  // Folding keeps each key where its first row appears: the id keeps a key's rows together.
  const rows = await q.orderBy('k.id', 'asc').execute();
  return foldKeys(rows);
}
