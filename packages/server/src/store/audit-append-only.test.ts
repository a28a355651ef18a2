/**
 * The audit log is append-only in the database itself: besides UPDATE and DELETE (0001),
 * a row cannot be rewritten by REPLACE / INSERT OR REPLACE (which deletes without firing
 * DELETE triggers on SQLite; 0004) or by an upsert, on either database.
 */
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { createTestSchema, testDatabaseUrl } from '../test-support/stores.js';
import { openStore } from './index.js';
import type { Database } from './schema.js';
import type { SqlStore } from './sql-store.js';
import type { Store } from './types.js';

function dbOf(store: Store): Kysely<Database> {
  // biome-ignore lint/complexity/useLiteralKeys: reaching into the private Kysely instance for the test
  return (store as SqlStore)['db'];
}

async function oneRow(store: Store): Promise<{ orgId: string; id: string }> {
  const org = await store.createOrganization({ id: newId(), name: 'Audited', createdAt: '2026-03-31T14:00:00.000Z' });
  await store.appendAudit({
    at: '2026-03-31T14:00:00.000Z',
    requestId: newId(),
    action: 'key.update',
    result: 'denied',
    reason: 'ORIGINAL',
    actorKeyId: null,
    actorUserId: null,
    organizationId: org.id,
    targetKeyId: null,
    before: null,
    after: null,
    sourceIp: null,
    userAgent: 'vitest',
  });
  const [row] = await store.listAudit({ organizationId: org.id });
  if (!row) throw new Error('no audit row');
  return { orgId: org.id, id: row.id };
}

describe('append-only audit log', () => {
  it('SQLite refuses REPLACE, INSERT OR REPLACE and upserts of an existing row', async () => {
    const store = await openStore({ sqliteFile: ':memory:' });
    try {
      await store.migrate();
      const { orgId, id } = await oneRow(store);
      const db = dbOf(store);
      const copy = sql`SELECT id, at, request_id, action, result, 'TAMPERED', actor_key_id, actor_user_id, organization_id,
        target_key_id, before_json, after_json, source_ip, user_agent, target_user_id FROM audit_log WHERE id = ${id}`;
      await expect(sql`REPLACE INTO audit_log ${copy}`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`INSERT OR REPLACE INTO audit_log ${copy}`.execute(db)).rejects.toThrow(/append-only/);
      await expect(
        sql`INSERT INTO audit_log ${copy} ON CONFLICT (id) DO UPDATE SET reason = 'TAMPERED'`.execute(db),
      ).rejects.toThrow(/append-only/);
      const rows = await store.listAudit({ organizationId: orgId });
      expect(rows.map((r) => r.reason)).toEqual(['ORIGINAL']);
      // Appending still works.
      await oneRow(store);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!testDatabaseUrl)('PostgreSQL refuses an upsert of an existing row', async () => {
    const schema = await createTestSchema();
    const store = await openStore({ databaseUrl: schema.url });
    try {
      await store.migrate();
      const { orgId, id } = await oneRow(store);
      const db = dbOf(store);
      await expect(
        sql`INSERT INTO audit_log SELECT * FROM audit_log WHERE id = ${id} ON CONFLICT (id) DO UPDATE SET reason = 'TAMPERED'`.execute(
          db,
        ),
      ).rejects.toThrow(/append-only/);
      expect((await store.listAudit({ organizationId: orgId })).map((r) => r.reason)).toEqual(['ORIGINAL']);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
