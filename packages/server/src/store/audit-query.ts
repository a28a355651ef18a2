/**
 * Reading the audit log page by page (`/listauditeventspublic`), and the operator's retention
 * purge. Written once with Kysely for every dialect; SqlStore delegates here.
 *
 * Pages run newest first by event id (UUIDv7, time-ordered) inside one organization; a page
 * after a cursor holds only ids below it. The ids a traversal has seen never come back and
 * every row committed before the traversal began lies below its first page's top, so paging
 * while others write returns each of those rows exactly once (rows written meanwhile are above
 * the first page, or — committed late with a lower id — still ahead of the cursor). Each filter
 * has an index (organization_id, <filter>, id) (migration 0008): a page is a bounded range scan.
 */
import { parseState } from './audit.js';
import type { Db } from './db.js';
import type { AuditEntry, AuditPage, AuditQuery } from './types.js';

export async function queryAudit(db: Db, query: AuditQuery): Promise<AuditPage> {
  let q = db.selectFrom('audit_log').selectAll().where('organization_id', '=', query.organizationId);
  if (query.targetKeyId !== undefined) q = q.where('target_key_id', '=', query.targetKeyId);
  if (query.actorKeyId !== undefined) q = q.where('actor_key_id', '=', query.actorKeyId);
  if (query.actorUserId !== undefined) q = q.where('actor_user_id', '=', query.actorUserId);
  if (query.actions !== undefined && query.actions.length > 0) {
    q = query.actions.length === 1 ? q.where('action', '=', query.actions[0]!) : q.where('action', 'in', query.actions);
  }
  if (query.result !== undefined) q = q.where('result', '=', query.result);
  if (query.since !== undefined) q = q.where('at', '>=', query.since);
  if (query.until !== undefined) q = q.where('at', '<', query.until);
  if (query.beforeId !== undefined) q = q.where('id', '<', query.beforeId);
  // One row more than the page: whether another page follows, without a count.
  const rows = await q
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const hasMore = rows.length > query.limit;
  return {
    entries: rows.slice(0, query.limit).map(
      (row): AuditEntry => ({
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
      }),
    ),
    hasMore,
  };
}

/**
 * Delete the rows older than `before` (the operator's retention), in the caller's transaction:
 * the cutoff is written to the gate the append-only trigger reads (migration 0008), the rows go,
 * the gate is emptied again before commit. Returns how many rows were deleted.
 */
export async function purgeAuditBefore(trx: Db, before: string): Promise<number> {
  await trx.insertInto('audit_purge').values({ before }).execute();
  const result = await trx.deleteFrom('audit_log').where('at', '<', before).executeTakeFirst();
  await trx.deleteFrom('audit_purge').execute();
  return Number(result.numDeletedRows);
}
