/**
 * The auth cache on PostgreSQL is exact across instances (auth-fence.ts, migration 0009): two
 * stores on one schema stand for two server instances. B keeps a record in its cache; a change
 * committed through A — or by plain SQL from a third connection — is seen by B's very next
 * lookup, also while B's listening connection is cut. And the cache does serve: a repeated
 * lookup reads no rows (only the fence, shared by concurrent lookups). A fence that never
 * fences makes these tests fail (the last case), so they can fail.
 *
 * PostgreSQL only (CODIKA_TEST_DATABASE_URL).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { mintOrgKey } from '../secrets.js';
import { createTestSchema, type TestSchema, testDatabaseUrl } from '../test-support/stores.js';
import type { AuthFence } from './auth-fence.js';
import { AUTH_TABLES } from './key-rows.js';
import { openPostgres } from './postgres.js';
import { SqlStore } from './sql-store.js';
import type { AuditEntryInput, Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T15:00:00.000Z';

function audit(organizationId: string, targetKeyId: string, action: AuditEntryInput['action']) {
  return {
    at: T1,
    requestId: newId(),
    action,
    actorKeyId: null,
    actorUserId: null,
    organizationId,
    targetKeyId,
    sourceIp: null,
    userAgent: null,
  };
}

async function seedKey(store: Store) {
  const org = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
  const user = await store.ensureUser({ id: newId(), email: `owner-${newId()}@example.com`, createdAt: T0 });
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
      scopes: ['projects:read'],
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: T0,
      expiresAt: null,
    },
    20,
    audit(org.id, id, 'key.create'),
  );
  if (outcome.status !== 'created') throw new Error('expected created');
  return { org, user, keyId: id, hash: minted.hash };
}

function fenceOf(store: Store): AuthFence {
  return (store as unknown as { authFence: AuthFence }).authFence;
}

async function listening(store: Store): Promise<void> {
  const fence = fenceOf(store);
  for (let i = 0; i < 200 && fence.token() === undefined; i++) {
    await fence.fence();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  expect(fence.token()).toBeDefined();
}

describe.skipIf(!testDatabaseUrl)('auth cache on PostgreSQL, across instances', () => {
  let schema: TestSchema;
  let a: Store;
  let b: Store;
  let admin: pg.Client;
  let bQueries: string[] = [];

  beforeAll(async () => {
    schema = await createTestSchema();
    a = new SqlStore(openPostgres({ databaseUrl: schema.url }));
    await a.migrate();
    b = new SqlStore(openPostgres({ databaseUrl: schema.url, onQuery: (text) => bQueries.push(text) }));
    admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await b?.close();
    await a?.close();
    await schema?.drop();
  });

  /** B's lookup, and how many of its queries read rows (the fence's are not counted). */
  async function lookupOnB(hash: string) {
    bQueries = [];
    const record = await b.findAuthByHash(hash);
    return { record, reads: bQueries.filter((q) => !q.includes('auth fence')).length };
  }

  it('every table the lookup reads announces its writes (migration 0009)', async () => {
    const { rows } = await admin.query<{ table: string }>(
      `select c.relname as table from pg_trigger t join pg_class c on c.oid = t.tgrelid
        join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and t.tgname like '%_auth_changed'`,
    );
    expect(rows.map((r) => r.table).sort()).toEqual([...AUTH_TABLES].sort());
  });

  it('serves a repeated lookup from the cache, reading no rows', async () => {
    const { hash } = await seedKey(a);
    await b.findAuthByHash(hash);
    await listening(b);
    expect((await lookupOnB(hash)).reads).toBe(1); // kept now
    const again = await lookupOnB(hash);
    expect(again.record?.key.scopes).toEqual(['projects:read']);
    expect(again.reads).toBe(0);
    // concurrent lookups share fences: far fewer fences than lookups
    bQueries = [];
    await Promise.all(Array.from({ length: 50 }, () => b.findAuthByHash(hash)));
    expect(bQueries.filter((q) => !q.includes('auth fence'))).toHaveLength(0);
    expect(bQueries.length).toBeLessThanOrEqual(5);
  });

  it('a scope change, a revocation through A are seen by B at its very next lookup', async () => {
    const { org, keyId, hash } = await seedKey(a);
    await listening(b);
    for (let i = 0; i < 10; i++) {
      await b.findAuthByHash(hash); // cached on B
      await b.findAuthByHash(hash);
      const scopes = i % 2 === 0 ? (['projects:read', 'skills:read'] as const) : (['projects:read'] as const);
      const outcome = await a.updateKey({
        organizationId: org.id,
        keyId,
        change: { scopes: [...scopes], name: `n${i}` },
        dryRun: false,
        now: T1,
        judge: () => null,
        audit: audit(org.id, keyId, 'key.update'),
      });
      expect(outcome.status).toBe('updated');
      const seen = await b.findAuthByHash(hash);
      expect(seen?.key.scopes).toEqual([...scopes]);
      expect(seen?.key.name).toBe(`n${i}`);
    }
    await b.findAuthByHash(hash);
    const revoked = await a.revokeKey({ organizationId: org.id, keyId, now: T1, audit: audit(org.id, keyId, 'key.revoke') });
    expect(revoked.status).toBe('revoked');
    expect((await b.findAuthByHash(hash))?.key.revokedAt).toBe(T1);
  });

  it('changes made by plain SQL outside any instance are seen at once too', async () => {
    const { org, user, hash } = await seedKey(a);
    await listening(b);
    await b.findAuthByHash(hash);
    await admin.query('update organizations set name = $1 where id = $2', ['Renamed Corp', org.id]);
    expect((await b.findAuthByHash(hash))?.organization.name).toBe('Renamed Corp');
    await b.findAuthByHash(hash);
    await admin.query('delete from memberships where user_id = $1', [user.id]);
    expect((await b.findAuthByHash(hash))?.role).toBeNull();
  });

  it("with B's listening connection cut, B reads the rows (still exact) and listens again", async () => {
    const { org, keyId, hash } = await seedKey(a);
    await listening(b);
    await b.findAuthByHash(hash);
    await b.findAuthByHash(hash);
    const pid = (fenceOf(b) as unknown as { client: { processID: number } }).client.processID;
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await a.updateKey({
      organizationId: org.id,
      keyId,
      change: { scopes: ['skills:read'] },
      dryRun: false,
      now: T1,
      judge: () => null,
      audit: audit(org.id, keyId, 'key.update'),
    });
    expect((await b.findAuthByHash(hash))?.key.scopes).toEqual(['skills:read']);
    await listening(b);
    await b.findAuthByHash(hash);
    expect((await lookupOnB(hash)).reads).toBe(0);
  });

  it('a fence that does not fence serves stale records (the tests above can fail)', async () => {
    const { org, keyId, hash } = await seedKey(a);
    const blind = new SqlStore({
      ...openPostgres({ databaseUrl: schema.url, authCache: false }),
      authFence: { fence: async () => true, token: () => 'constant', close: async () => {} },
    });
    try {
      await blind.findAuthByHash(hash);
      await a.updateKey({
        organizationId: org.id,
        keyId,
        change: { scopes: ['skills:read'] },
        dryRun: false,
        now: T1,
        judge: () => null,
        audit: audit(org.id, keyId, 'key.update'),
      });
      expect((await blind.findAuthByHash(hash))?.key.scopes).toEqual(['projects:read']);
    } finally {
      await blind.close();
    }
  });
});
