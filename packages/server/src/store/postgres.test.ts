/**
 * What only PostgreSQL has to show (the shared suite in store.test.ts covers the behaviour):
 * the trigger branch of migration 0001, timestamptz columns that round-trip the store's ISO
 * strings, the bounded retry of serialization failures and deadlocks, row locks that
 * serialize under READ COMMITTED, and schema isolation. Skipped without CODIKA_TEST_DATABASE_URL.
 */
import { SCOPES, type Scope } from '@codika/contract/scopes';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { allMigrations } from '../migrations/index.js';
import { mintOrgKey } from '../secrets.js';
import { adminQuery, createTestSchema, type TestSchema, testDatabaseUrl } from '../test-support/stores.js';
import { openStore } from './index.js';
import { isRetryablePostgresError } from './postgres.js';
import type { Database } from './schema.js';
import { type SqlStore, TRANSACTION_ATTEMPTS } from './sql-store.js';
import type { ChangeJudge, Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T15:00:00.000Z';

function auditBase(organizationId: string, targetKeyId: string | null) {
  return {
    at: T1,
    requestId: newId(),
    action: 'key.update' as const,
    actorKeyId: null,
    actorUserId: null,
    organizationId,
    targetKeyId,
    sourceIp: null,
    userAgent: 'vitest',
  };
}

function dbOf(store: Store): Kysely<Database> {
  // biome-ignore lint/complexity/useLiteralKeys: reaching into the private Kysely instance for the test
  return (store as SqlStore)['db'];
}

async function seedKey(store: Store, scopes: Scope[] = ['projects:read'], expiresAt: string | null = null) {
  const org = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
  const user = await store.ensureUser({ id: newId(), email: `${newId()}@example.com`, createdAt: T0 });
  await store.setMembership({ organizationId: org.id, userId: user.id, role: 'owner' });
  const minted = mintOrgKey();
  const id = newId();
  const outcome = await store.createKey(
    {
      id,
      organizationId: org.id,
      createdByUserId: user.id,
      name: 'k',
      description: '',
      scopes,
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: T0,
      expiresAt,
    },
    20,
    auditBase(org.id, id),
  );
  if (outcome.status !== 'created') throw new Error('not created');
  return { org, user, key: outcome.key, hash: minted.hash };
}

describe.skipIf(!testDatabaseUrl)('PostgreSQL specifics', () => {
  let schema: TestSchema;
  let store: Store;
  beforeEach(async () => {
    schema = await createTestSchema();
    store = await openStore({ databaseUrl: schema.url });
    await store.migrate();
  });
  afterEach(async () => {
    await store.close();
    await schema.drop();
  });

  it('migrates inside its own schema, with the migrator tables there too; migrate() again is a no-op', async () => {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${schema.name} order by table_name`.execute(
      dbOf(store),
    );
    expect(rows.map((r) => r.table_name)).toEqual([
      'api_key_scopes',
      'api_keys',
      'audit_log',
      'audit_purge',
      'kysely_migration',
      'kysely_migration_lock',
      'login_codes',
      'memberships',
      'organizations',
      'sessions',
      'users',
    ]);
    await store.migrate();
    const applied = await dbOf(store)
      .withoutPlugins()
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    // every migration of the list, each once, in order (0001_initial … the latest)
    expect(applied.map((r) => (r as { name: string }).name)).toEqual(Object.keys(allMigrations({ dialect: 'postgres' })));
    expect(applied[0]).toEqual({ name: '0001_initial' });
  });

  it('a store in another schema of the same database sees none of these rows', async () => {
    await seedKey(store);
    const other = await createTestSchema();
    const otherStore = await openStore({ databaseUrl: other.url });
    try {
      await otherStore.migrate();
      expect(await otherStore.isEmpty()).toBe(true);
      expect(await store.isEmpty()).toBe(false);
    } finally {
      await otherStore.close();
      await other.drop();
    }
  });

  it('timestamps are timestamptz columns and come back exactly as written; comparisons are by time', async () => {
    const { rows } = await sql<{ column_name: string; data_type: string }>`
      select table_name || '.' || column_name as column_name, data_type from information_schema.columns
      where table_schema = ${schema.name} and data_type like 'timestamp%' order by 1`.execute(dbOf(store));
    expect(rows).toEqual(
      [
        'api_keys.created_at',
        'api_keys.disabled_at',
        'api_keys.expires_at',
        'api_keys.last_used_at',
        'api_keys.previous_hash_expires_at',
        'api_keys.revoked_at',
        'api_keys.updated_at',
        'audit_log.at',
        'audit_purge.before',
        'login_codes.created_at',
        'login_codes.expires_at',
        'memberships.joined_at',
        'organizations.created_at',
        'sessions.created_at',
        'sessions.expires_at',
        'users.created_at',
        'users.last_sign_in_at',
      ].map((column_name) => ({ column_name, data_type: 'timestamp with time zone' })),
    );
    const { org, key } = await seedKey(store, ['projects:read'], '2026-03-31T14:00:00.999Z');
    expect(key.createdAt).toBe(T0);
    expect(key.expiresAt).toBe('2026-03-31T14:00:00.999Z');
    expect((await store.getOrganization(org.id))?.createdAt).toBe(T0);
    // One millisecond before expiry the key is live; at expiry it is not.
    expect(await store.getLiveKey(org.id, key.id, '2026-03-31T14:00:00.998Z')).toBeDefined();
    expect(await store.getLiveKey(org.id, key.id, '2026-03-31T14:00:00.999Z')).toBeUndefined();
    await store.touchLastUsed(key.id, '2026-03-31T14:00:00.500Z', '2026-03-31T13:59:00.500Z');
    expect((await store.getLiveKey(org.id, key.id, T0))?.lastUsedAt).toBe('2026-03-31T14:00:00.500Z');
    const [audit] = await store.listAudit({ organizationId: org.id });
    expect(audit?.at).toBe(T1);
  });

  it('the audit log refuses UPDATE, DELETE and TRUNCATE (migration 0001, PostgreSQL branch)', async () => {
    const { org } = await seedKey(store);
    const db = dbOf(store);
    await expect(db.updateTable('audit_log').set({ reason: 'Y' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
    expect(await store.listAudit({ organizationId: org.id })).toHaveLength(1);
  });

  it('foreign keys and checks are enforced', async () => {
    await expect(store.setMembership({ organizationId: newId(), userId: newId(), role: 'member' })).rejects.toThrow(
      /foreign key/,
    );
  });

  it('serialization failures and deadlocks are retried from the start, at most TRANSACTION_ATTEMPTS times', async () => {
    expect(isRetryablePostgresError(Object.assign(new Error('x'), { code: '40001' }))).toBe(true);
    expect(isRetryablePostgresError(Object.assign(new Error('x'), { code: '40P01' }))).toBe(true);
    expect(isRetryablePostgresError(Object.assign(new Error('x'), { code: '23505' }))).toBe(false);
    expect(isRetryablePostgresError(new Error('x'))).toBe(false);

    const { org, key } = await seedKey(store);
    const failures = (n: number): { judge: ChangeJudge; calls: () => number } => {
      let calls = 0;
      return {
        judge: () => {
          calls++;
          if (calls <= n) throw Object.assign(new Error('could not serialize access'), { code: calls % 2 ? '40001' : '40P01' });
          return null;
        },
        calls: () => calls,
      };
    };
    const update = (judge: ChangeJudge, scope: Scope) =>
      store.updateKey({
        organizationId: org.id,
        keyId: key.id,
        change: { addScopes: [scope] },
        dryRun: false,
        now: T1,
        judge,
        audit: auditBase(org.id, key.id),
      });

    const twice = failures(2);
    expect((await update(twice.judge, 'skills:read')).status).toBe('updated');
    expect(twice.calls()).toBe(3);

    const always = failures(Number.POSITIVE_INFINITY);
    await expect(update(always.judge, 'instances:read')).rejects.toThrow(/could not serialize/);
    expect(always.calls()).toBe(TRANSACTION_ATTEMPTS);

    // Each failed attempt was rolled back whole: one change, one allowed audit row.
    expect((await store.getLiveKey(org.id, key.id, T1))?.scopes).toEqual(['projects:read', 'skills:read']);
    const rows = await store.listAudit({ organizationId: org.id, targetKeyId: key.id });
    expect(rows.filter((r) => r.action === 'key.update').map((r) => r.result)).toEqual(['allowed']);
  });

  it('the opening UPDATE holds the row under READ COMMITTED: a second writer waits and then sees the first one’s commit', async () => {
    const { org, key } = await seedKey(store, SCOPES.slice(0, 2) as Scope[]);
    const db = dbOf(store);
    let releaseFirst: () => void = () => {};
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstLocked: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      firstLocked = resolve;
    });
    // Writer 1: a raw transaction that locks the row the way the store does and removes a scope.
    const first = db.transaction().execute(async (trx) => {
      await trx.updateTable('api_keys').set({ updated_at: sql`updated_at` }).where('id', '=', key.id).execute();
      await trx
        .deleteFrom('api_key_scopes')
        .where('key_id', '=', key.id)
        .where('scope', '=', SCOPES[0] as string)
        .execute();
      firstLocked();
      await firstHolds;
    });
    await locked;
    // Writer 2: the store's own update; it must block until writer 1 commits.
    let secondDone = false;
    let seenBefore: Scope[] | undefined;
    const second = store
      .updateKey({
        organizationId: org.id,
        keyId: key.id,
        change: { addScopes: ['skills:read'] },
        dryRun: false,
        now: T1,
        judge: (before) => {
          seenBefore = before.scopes;
          return null;
        },
        audit: auditBase(org.id, key.id),
      })
      .then((outcome) => {
        secondDone = true;
        return outcome;
      });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(secondDone).toBe(false);
    releaseFirst();
    await first;
    const outcome = await second;
    expect(outcome.status).toBe('updated');
    expect(seenBefore).toEqual([SCOPES[1]]);
    expect((await store.getLiveKey(org.id, key.id, T1))?.scopes).toEqual([SCOPES[1], 'skills:read'].sort());
  });

  it('two stores on one schema (two instances): a change through one is what the other reads next, with no cache between', async () => {
    const { org, user, key, hash } = await seedKey(store, ['api-keys:manage', 'projects:read']);
    const other = await openStore({ databaseUrl: schema.url });
    try {
      await other.migrate();
      const change = (scopes: Partial<{ addScopes: Scope[]; removeScopes: Scope[] }>) =>
        store.updateKey({
          organizationId: org.id,
          keyId: key.id,
          change: scopes,
          dryRun: false,
          now: T1,
          judge: () => null,
          audit: auditBase(org.id, key.id),
        });
      for (let round = 0; round < 3; round++) {
        expect((await other.findAuthByHash(hash))?.key.scopes).toEqual(['api-keys:manage', 'projects:read']);
        await change({ removeScopes: ['api-keys:manage'] });
        expect((await other.findAuthByHash(hash))?.key.scopes).toEqual(['projects:read']);
        await change({ addScopes: ['api-keys:manage'] });
      }
      await store.setMembership({ organizationId: org.id, userId: user.id, role: 'member' });
      expect((await other.findAuthByHash(hash))?.role).toBe('member');
      await store.revokeKey({ organizationId: org.id, keyId: key.id, now: T1, audit: auditBase(org.id, key.id) });
      expect((await other.findAuthByHash(hash))?.key.revokedAt).toBe(T1);
    } finally {
      await other.close();
    }
  });

  it('readiness (ping) reads every table and fails on a server that cannot write, changing nothing', async () => {
    const { org } = await seedKey(store, ['projects:read']);
    await store.ping();
    expect((await store.getOrganization(org.id))?.name).toBe(org.name);
    const url = new URL(schema.url);
    url.searchParams.set('options', `${url.searchParams.get('options')} -c default_transaction_read_only=on`);
    const readOnly = await openStore({ databaseUrl: url.toString() });
    try {
      expect(await readOnly.isEmpty()).toBe(false);
      await expect(readOnly.ping()).rejects.toThrow(/read-only transaction/);
    } finally {
      await readOnly.close();
    }
  });

  it('named statements prepared before a migration changed a column recover: reads and a transaction go on', async () => {
    const { org, key, hash } = await seedKey(store, ['api-keys:manage', 'projects:read']);
    // Prepare the hot statements on several connections of the pool.
    await Promise.all(Array.from({ length: 8 }, () => store.findAuthByHash(hash)));
    const update = (name: string) =>
      store.updateKey({
        organizationId: org.id,
        keyId: key.id,
        change: { name },
        dryRun: false,
        now: T1,
        judge: () => null,
        audit: auditBase(org.id, key.id),
      });
    expect((await update('before')).status).toBe('updated');
    // A migration changes the type of a column those statements return.
    await adminQuery(`ALTER TABLE ${schema.name}.api_keys ALTER COLUMN name TYPE varchar(300)`);
    const reads = await Promise.all(Array.from({ length: 8 }, () => store.findAuthByHash(hash)));
    expect(reads.map((r) => r?.key.id)).toEqual(Array(8).fill(key.id));
    expect((await update('after')).status).toBe('updated');
    expect((await store.getLiveKey(org.id, key.id, T1))?.name).toBe('after');
    // Once more, back to text: the renamed statements recover the same way.
    await adminQuery(`ALTER TABLE ${schema.name}.api_keys ALTER COLUMN name TYPE text`);
    expect((await update('again')).status).toBe('updated');
    expect((await store.findAuthByHash(hash))?.key.name).toBe('again');
  });

  it('a stale plan is a retryable error', () => {
    const stale = Object.assign(new Error('cached plan must not change result type'), { code: '0A000' });
    expect(isRetryablePostgresError(stale)).toBe(true);
    expect(isRetryablePostgresError(Object.assign(new Error('other feature'), { code: '0A000' }))).toBe(false);
  });
});
