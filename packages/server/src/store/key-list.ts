/**
 * The key list with its filters (`/listorganizationapikeyspublic` with state, unusedSince,
 * expiresBefore, sort): one query, written once with Kysely for every dialect. The row shape
 * and folding of keys with their scope rows are sql-store.ts's, passed in.
 */
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type { Database } from './schema.js';
import type { KeyRow } from './sql-store.js';
import type { ApiKeyWithCreator, KeyListQuery } from './types.js';

type Db = Kysely<Database>;
// biome-ignore lint/suspicious/noExplicitAny: the joined query's table aliases are sql-store's
type KeyRowsQuery = SelectQueryBuilder<any, any, KeyRow>;

export interface KeyListContext {
  keyRows(db: Db): KeyRowsQuery;
  foldKeys(rows: readonly KeyRow[]): ApiKeyWithCreator[];
}

export async function listKeys(db: Db, query: KeyListQuery, ctx: KeyListContext): Promise<ApiKeyWithCreator[]> {
  const { now } = query;
  let q = ctx.keyRows(db).where('k.organization_id', '=', query.organizationId);
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
  return ctx.foldKeys(rows);
}
