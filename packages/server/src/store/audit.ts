/**
 * The audit log: one row per attempt, its before/after states stored as JSON holding exactly
 * the state's own fields (stateJson), read back by parseState.
 */
import { canonicalScopes } from '@codika/contract/scopes';
import { newId } from '../ids.js';
import type { Db, StoreParams } from './db.js';
import { fieldsOf } from './key-fields.js';
import type { PrecompiledQueries } from './precompiled.js';
import type { ApiKeyRecord, AuditEntry, AuditEntryInput, AuditOrigin, AuditState, AuditStateInput, KeyFields } from './types.js';

const DEFAULT_AUDIT_LIMIT = 100;

/**
 * Who, from where, when — only these fields of what a caller gave (its object may carry more):
 * the start of every row a store method completes.
 */
export function originOf(base: AuditOrigin): AuditOrigin {
  return {
    at: base.at,
    requestId: base.requestId,
    actorKeyId: base.actorKeyId,
    actorUserId: base.actorUserId,
    sourceIp: base.sourceIp,
    userAgent: base.userAgent,
  };
}

export const AUDIT_COLUMNS = [
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

/** An audit entry as the row audit_log stores (a new id). */
export function auditValues(entry: AuditEntryInput) {
  return {
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
}

export async function insertAudit(db: Db, entry: AuditEntryInput, queries?: PrecompiledQueries): Promise<void> {
  const values = auditValues(entry);
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

/** Several audit rows in one statement each 1 000 (PostgreSQL takes at most 65 535 parameters). */
export async function insertAudits(db: Db, entries: readonly AuditEntryInput[]): Promise<void> {
  for (let from = 0; from < entries.length; from += 1000) {
    await db
      .insertInto('audit_log')
      .values(entries.slice(from, from + 1000).map(auditValues))
      .execute();
  }
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

export function parseState(json: string | null): AuditState | null {
  if (json === null) return null;
  const value = JSON.parse(json) as AuditState;
  if (isKeyFields(value)) return fieldsOf({ ...value, scopes: canonicalScopes(value.scopes) });
  if ('maxKeyLifetimeDays' in value) return { maxKeyLifetimeDays: value.maxKeyLifetimeDays };
  if ('role' in value) return { email: value.email, role: value.role };
  return value.purpose === undefined ? { email: value.email } : { email: value.email, purpose: value.purpose };
}

/** The rows a filter selects, newest first (see Store.listAudit). */
export async function listAudit(db: Db, filter: StoreParams<'listAudit'>): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll();
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
