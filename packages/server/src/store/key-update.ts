/**
 * A key update in few round trips (issue 14). The transaction, in order:
 *
 * 1. the portable row lock on the live key (an UPDATE that changes nothing; 0 rows → not
 *    found, recorded as a denied audit row);
 * 2. one read of the key, its scopes (aggregated, key-rows.ts) and its creator's current role,
 *    in a statement *after* the lock: on PostgreSQL under READ COMMITTED a statement's
 *    snapshot is taken when it starts, so a read folded into the locking statement could
 *    miss scope rows committed by the transaction it waited for;
 * 3. the new fields computed here from that locked state (name, description, the scope set:
 *    `scopes` replaces, else `addScopes` then `removeScopes`), and the judge asked;
 * 4. the writes — the key row, the scope rows that leave, the scope rows that arrive, and the
 *    audit row — where the adapter allows it (`writesInOneStatement`, PostgreSQL) as **one**
 *    statement of data-modifying CTEs, else one statement each (SQLite, in-process, where a
 *    statement is not a round trip). The deleted and inserted scope rows are disjoint, so the
 *    CTEs never touch one row twice.
 *
 * A refusal or a dry run changes nothing, so its audit row is written in the same transaction
 * (as revokeKey does) instead of after a rollback. On PostgreSQL an update is therefore
 * BEGIN, lock, read, write, COMMIT: five round trips (it was ten: a read before and after the
 * change, the creator's role, and one statement per write). The scope rows are still changed
 * by SQL statements on api_key_scopes rows; the set they write was read under the key's row
 * lock, which every writer of a key's scope rows takes first (store comment in sql-store.ts).
 */
import { canonicalScopes, type Scope } from '@codika/contract/scopes';
import { type Compilable, type Kysely, sql } from 'kysely';
import { AUDIT_COLUMNS, auditValues, originOf } from './audit.js';
import { fieldsOf } from './key-fields.js';
import { type KeyRowWithScopes, keyForChangeQuery, keyRecordOf } from './key-rows.js';
import type { PrecompiledQueries } from './precompiled.js';
import type { Database } from './schema.js';
import type { ApiKeyRecord, AuditEntryInput, Denial, KeyChange, Role, UpdateKeyParams, UpdateOutcome } from './types.js';

type Db = Kysely<Database>;

/** One write of the batch: a precompiled shape, its arguments, and its builder. */
interface Write {
  shape: string;
  args: readonly unknown[];
  build(db: Db, p: (index: number) => string): Compilable<unknown>;
}

export interface KeyUpdateDeps {
  queries: PrecompiledQueries;
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  /** Run the writes as one statement of data-modifying CTEs (PostgreSQL). */
  writesInOneStatement: boolean;
}

/** The portable row lock: touch the live row without changing it; 0 rows → not live. */
export async function lockLiveKey(
  trx: Db,
  queries: PrecompiledQueries,
  organizationId: string,
  keyId: string,
  now: string,
): Promise<boolean> {
  const result = await queries.run(trx, 'lockLiveKey', [keyId, organizationId, now], (p) =>
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

/** The key (with scopes) and its creator's role, read in one query. */
async function readForChange(
  trx: Db,
  queries: PrecompiledQueries,
  keyId: string,
): Promise<{ key: ApiKeyRecord; creatorRole: Role | null; maxKeyLifetimeDays: number | null } | undefined> {
  const { rows } = await queries.run(trx, 'keyForChange', [keyId], (p) => keyForChangeQuery(trx, p(0)));
  const row = rows[0] as (KeyRowWithScopes & { creator_role: Role | null; max_key_lifetime_days: number | null }) | undefined;
  return row === undefined
    ? undefined
    : { key: keyRecordOf(row), creatorRole: row.creator_role ?? null, maxKeyLifetimeDays: row.max_key_lifetime_days ?? null };
}

/** The scope set after `change`: `scopes` replaces; otherwise add, then remove (a scope in both ends up removed). */
export function scopesAfter(before: readonly Scope[], change: KeyChange): Scope[] {
  if (change.scopes !== undefined) return canonicalScopes(change.scopes);
  const set = new Set<Scope>(before);
  for (const scope of change.addScopes ?? []) set.add(scope);
  for (const scope of change.removeScopes ?? []) set.delete(scope);
  return canonicalScopes(set);
}

function auditWrite(entry: AuditEntryInput): Write {
  const values = auditValues(entry);
  return {
    shape: 'insertAudit',
    args: AUDIT_COLUMNS.map((column) => values[column]),
    build: (db, p) =>
      db
        .insertInto('audit_log')
        .values(Object.fromEntries(AUDIT_COLUMNS.map((column, i) => [column, p(i)])) as unknown as typeof values),
  };
}

/** The writes of an allowed change: key row, scope rows out, scope rows in (each only when needed). */
function changeWrites(before: ApiKeyRecord, after: ApiKeyRecord, change: KeyChange, now: string): Write[] {
  const hasName = change.name !== undefined;
  const hasDescription = change.description !== undefined;
  const rowArgs: unknown[] = [before.id, now];
  if (hasName) rowArgs.push(after.name);
  if (hasDescription) rowArgs.push(after.description);
  const writes: Write[] = [
    {
      shape: `updateKeyRow:${hasName}:${hasDescription}`,
      args: rowArgs,
      build: (db, p) => {
        const set: { updated_at: string; name?: string; description?: string } = { updated_at: p(1) };
        if (hasName) set.name = p(2);
        if (hasDescription) set.description = p(hasName ? 3 : 2);
        return db.updateTable('api_keys').set(set).where('id', '=', p(0));
      },
    },
  ];
  // The lifecycle columns, when the change names any (issue 12).
  const lifecycle: [string, unknown][] = [];
  if (change.expiresAt !== undefined) lifecycle.push(['expires_at', after.expiresAt]);
  if (change.enabled !== undefined) lifecycle.push(['disabled_at', after.disabledAt]);
  if (change.allowedIps !== undefined) {
    lifecycle.push(['allowed_ips', after.allowedIps === null ? null : JSON.stringify(after.allowedIps)]);
  }
  if (lifecycle.length > 0) {
    writes.push({
      shape: `updateKeyLifecycle:${lifecycle.map(([column]) => column).join(',')}`,
      args: [before.id, ...lifecycle.map(([, value]) => value)],
      build: (db, p) =>
        db
          .updateTable('api_keys')
          .set(Object.fromEntries(lifecycle.map(([column], i) => [column, p(i + 1)])) as { expires_at?: string })
          .where('id', '=', p(0)),
    });
  }
  const leaving = before.scopes.filter((s) => !after.scopes.includes(s));
  const arriving = after.scopes.filter((s) => !before.scopes.includes(s));
  if (leaving.length > 0) {
    writes.push({
      shape: `deleteScopes:${leaving.length}`,
      args: [before.id, ...leaving],
      build: (db, p) =>
        db
          .deleteFrom('api_key_scopes')
          .where('key_id', '=', p(0))
          .where(
            'scope',
            'in',
            leaving.map((_, i) => p(i + 1)),
          ),
    });
  }
  if (arriving.length > 0) {
    writes.push({
      shape: `insertScopes:${arriving.length}`,
      args: [before.id, ...arriving],
      build: (db, p) => db.insertInto('api_key_scopes').values(arriving.map((_, i) => ({ key_id: p(0), scope: p(i + 1) }))),
    });
  }
  return writes;
}

/** Run `writes` one after the other, or as one statement of data-modifying CTEs. */
async function runWrites(trx: Db, deps: KeyUpdateDeps, writes: readonly Write[]): Promise<void> {
  if (!deps.writesInOneStatement || writes.length === 1) {
    for (const write of writes) await deps.queries.run(trx, write.shape, write.args, (p) => write.build(trx, p));
    return;
  }
  const offsets: number[] = [];
  let total = 0;
  for (const write of writes) {
    offsets.push(total);
    total += write.args.length;
  }
  const shape = `writes:${writes.map((w) => w.shape).join('+')}`;
  await deps.queries.run(
    trx,
    shape,
    writes.flatMap((w) => w.args),
    (p) => {
      // biome-ignore lint/suspicious/noExplicitAny: a chain of CTEs of varying shapes; the statement returns one constant
      let query: any = trx;
      writes.forEach((write, k) => {
        const offset = offsets[k] as number;
        query = query.with(`w${k}`, () => write.build(trx, (i) => p(offset + i)));
      });
      return query.selectNoFrom(sql<number>`1`.as('done')) as Compilable<unknown>;
    },
  );
}

export async function updateKeyFewRoundTrips<D extends Denial>(
  deps: KeyUpdateDeps,
  params: UpdateKeyParams<D>,
): Promise<UpdateOutcome<D>> {
  const { organizationId, keyId, change, dryRun, now, judge } = params;
  const audit = { ...originOf(params.audit), action: 'key.update', organizationId, targetKeyId: keyId } as const;
  const { queries } = deps;
  return deps.transaction(async (trx): Promise<UpdateOutcome<D>> => {
    if (!(await lockLiveKey(trx, queries, organizationId, keyId, now))) {
      await runWrites(trx, deps, [
        auditWrite({ ...audit, result: 'denied', reason: 'KEY_NOT_FOUND', before: null, after: null }),
      ]);
      return { status: 'not_found' };
    }
    const read = await readForChange(trx, queries, keyId);
    if (read === undefined) throw new Error('locked key not found');
    const before = read.key;
    const after: ApiKeyRecord = {
      ...before,
      name: change.name ?? before.name,
      description: change.description ?? before.description,
      scopes: scopesAfter(before.scopes, change),
      updatedAt: now,
      // The key lifecycle (issue 12): a new expiry, enabled or disabled (keeping when it was first disabled), the allowlist.
      expiresAt: change.expiresAt === undefined ? before.expiresAt : change.expiresAt,
      disabledAt: change.enabled === undefined ? before.disabledAt : change.enabled ? null : (before.disabledAt ?? now),
      allowedIps: change.allowedIps === undefined ? before.allowedIps : change.allowedIps,
    };
    const denial = judge(before, fieldsOf(after), { creatorRole: read.creatorRole, maxKeyLifetimeDays: read.maxKeyLifetimeDays });
    if (denial !== null) {
      await runWrites(trx, deps, [
        auditWrite({ ...audit, result: 'denied', reason: denial.code, before, after: fieldsOf(after) }),
      ]);
      return { status: 'denied', denial, before, after: fieldsOf(after) };
    }
    if (dryRun) {
      await runWrites(trx, deps, [auditWrite({ ...audit, result: 'dry_run', reason: null, before, after })]);
      return { status: 'dry_run', before, after };
    }
    await runWrites(trx, deps, [
      ...changeWrites(before, after, change, now),
      auditWrite({ ...audit, result: 'allowed', reason: null, before, after }),
    ]);
    return { status: 'updated', before, after };
  });
}
