/**
 * The audit query and the operator's retention purge, on every database (SQLite, and
 * PostgreSQL when CODIKA_TEST_DATABASE_URL is set): pages newest first by id, filters, and a
 * purge that removes only rows older than its cutoff while every other DELETE stays refused.
 */
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { storeFactories } from '../test-support/stores.js';
import type { Database } from './schema.js';
import type { AuditEntryInput, Store } from './types.js';

function dbOf(store: Store): Kysely<Database> {
  // biome-ignore lint/complexity/useLiteralKeys: reaching into the private Kysely instance for the test
  return (store as unknown as { db: Kysely<Database> })['db'];
}

const DAY_MS = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const day = (n: number) => new Date(T0 + n * DAY_MS).toISOString();

function row(organizationId: string, at: string, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    at,
    requestId: newId(),
    action: 'key.update',
    result: 'allowed',
    reason: null,
    actorKeyId: null,
    actorUserId: null,
    organizationId,
    targetKeyId: null,
    before: null,
    after: null,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
    ...over,
  };
}

for (const factory of storeFactories) {
  describe(`audit query and retention (${factory.name})`, () => {
    let store: Store;
    let orgA: string;
    let orgB: string;

    beforeEach(async () => {
      store = await factory.create();
      orgA = (await store.createOrganization({ id: newId(), name: 'A', createdAt: day(0) })).id;
      orgB = (await store.createOrganization({ id: newId(), name: 'B', createdAt: day(0) })).id;
      for (let n = 0; n < 10; n++) {
        await store.appendAudit(
          row(orgA, day(n), { result: n % 3 === 0 ? 'denied' : 'allowed', targetKeyId: n % 2 === 0 ? 'even' : 'odd' }),
        );
        await store.appendAudit(row(orgB, day(n)));
      }
    });
    afterEach(async () => {
      await store.close();
    });

    it('answers one organization newest first, a page at a time, with hasMore', async () => {
      const first = await store.queryAudit({ organizationId: orgA, limit: 4 });
      expect(first.entries.map((e) => e.at)).toEqual([day(9), day(8), day(7), day(6)]);
      expect(first.hasMore).toBe(true);
      const rest = await store.queryAudit({ organizationId: orgA, limit: 100, beforeId: first.entries.at(-1)?.id as string });
      expect(rest.entries.map((e) => e.at)).toEqual([5, 4, 3, 2, 1, 0].map(day));
      expect(rest.hasMore).toBe(false);
      expect(rest.entries.every((e) => e.organizationId === orgA)).toBe(true);
    });

    it('combines filters with AND', async () => {
      const page = await store.queryAudit({
        organizationId: orgA,
        targetKeyId: 'even',
        result: 'denied',
        since: day(1),
        until: day(9),
        limit: 100,
      });
      // even days, denied on multiples of 3, in [1, 9): day 6.
      expect(page.entries.map((e) => e.at)).toEqual([day(6)]);
    });

    it('the retention purge removes only rows older than its cutoff, and nothing else may delete', async () => {
      expect(await store.purgeAudit(day(4))).toBe(8); // days 0–3 of both organizations
      const left = await store.queryAudit({ organizationId: orgA, limit: 100 });
      expect(left.entries.map((e) => e.at)).toEqual([9, 8, 7, 6, 5, 4].map(day));
      const db = dbOf(store);
      // The gate is empty again: a DELETE outside the purge is refused, even of an old row.
      expect(await db.selectFrom('audit_purge').selectAll().execute()).toEqual([]);
      await expect(sql`DELETE FROM audit_log WHERE at < ${day(6)}`.execute(db)).rejects.toThrow(/append-only/);
      await expect(sql`UPDATE audit_log SET reason = 'x'`.execute(db)).rejects.toThrow(/append-only/);
      expect((await store.queryAudit({ organizationId: orgB, limit: 100 })).entries).toHaveLength(6);
      expect(await store.purgeAudit(day(4))).toBe(0);
    });
  });
}
