/**
 * SQLite locked by someone else (another connection holding the write lock, as a second
 * process or an operator's `sqlite3` shell would): reads keep answering, the event loop never
 * stalls, writers wait without blocking it and go through once the lock is released — or fail
 * with StoreUnavailableError after the wait.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey, mintOrgKey } from '../secrets.js';
import { isStoreUnavailable } from './errors.js';
import { openStore } from './index.js';
import type { Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';

interface Fixture {
  store: Store;
  other: SqliteDatabase.Database;
  orgId: string;
  userId: string;
  rawKey: string;
}

let dir: string;
const open: Fixture[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codika-locks-'));
});
afterEach(async () => {
  for (const f of open.splice(0)) {
    if (f.other.inTransaction) f.other.exec('ROLLBACK');
    f.other.close();
    await f.store.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

function audit(orgId: string, keyId: string) {
  return {
    at: T0,
    requestId: newId(),
    action: 'key.create' as const,
    result: 'allowed' as const,
    reason: null,
    actorKeyId: null,
    actorUserId: null,
    organizationId: orgId,
    targetKeyId: keyId,
    before: null,
    after: { name: 'k', description: '', scopes: ['projects:read' as const] },
    sourceIp: null,
    userAgent: null,
  };
}

async function createKey(store: Store, orgId: string, userId: string) {
  const minted = mintOrgKey();
  const id = newId();
  const outcome = await store.createKey(
    {
      id,
      organizationId: orgId,
      createdByUserId: userId,
      name: 'k',
      description: '',
      scopes: ['projects:read'],
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: T0,
      expiresAt: null,
    },
    100,
    audit(orgId, id),
  );
  return { outcome, rawKey: minted.rawKey };
}

async function fixture(writeWaitMs?: number): Promise<Fixture> {
  const file = join(dir, 'codika.db');
  const store = await openStore({ sqliteFile: file, ...(writeWaitMs === undefined ? {} : { writeWaitMs }) });
  await store.migrate();
  const org = await store.createOrganization({ id: newId(), name: 'Acme', createdAt: T0 });
  const user = await store.ensureUser({ id: newId(), email: 'o@acme.test', createdAt: T0 });
  await store.setMembership({ organizationId: org.id, userId: user.id, role: 'owner' });
  const { rawKey } = await createKey(store, org.id, user.id);
  // Another connection to the same file, with no busy wait of its own.
  const other = new SqliteDatabase(file, { timeout: 0 });
  const f = { store, other, orgId: org.id, userId: user.id, rawKey };
  open.push(f);
  return f;
}

/** The longest the event loop was kept from running a 1 ms timer while `work` ran. */
async function longestStall<T>(work: Promise<T>): Promise<{ value: T; stallMs: number }> {
  let worst = 0;
  let running = true;
  const probe = (async () => {
    while (running) {
      const t = performance.now();
      await new Promise((r) => setTimeout(r, 1));
      worst = Math.max(worst, performance.now() - t);
    }
  })();
  try {
    const value = await work;
    return { value, stallMs: worst };
  } finally {
    running = false;
    await probe;
  }
}

describe('SQLite with the write lock held elsewhere', () => {
  for (const mode of ['BEGIN IMMEDIATE', 'BEGIN EXCLUSIVE']) {
    it(`${mode}: reads answer, a write waits without stalling the event loop and commits once the lock is released`, async () => {
      const f = await fixture();
      f.other.exec(mode);
      f.other.prepare("UPDATE organizations SET name = 'Locked' WHERE id = ?").run(f.orgId);

      const write = createKey(f.store, f.orgId, f.userId);
      let written = false;
      void write.then(() => {
        written = true;
      });
      const reads = (async () => {
        for (let i = 0; i < 20; i++) {
          const t = performance.now();
          expect((await f.store.findAuthByHash(hashKey(f.rawKey)))?.organization.name).toBe('Acme');
          expect(await f.store.listLiveKeys(f.orgId, T0)).toHaveLength(1);
          expect(performance.now() - t).toBeLessThan(50);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      const { stallMs } = await longestStall(reads);
      expect(stallMs).toBeLessThan(50);
      expect(written).toBe(false);

      f.other.exec('ROLLBACK');
      const { outcome } = await write;
      expect(outcome.status).toBe('created');
      expect(await f.store.listLiveKeys(f.orgId, T0)).toHaveLength(2);
    });
  }

  it('autocommit writes (an audit row, the last use) wait the same way', async () => {
    const f = await fixture();
    f.other.exec('BEGIN IMMEDIATE');
    const appended = f.store.appendAudit({ ...audit(f.orgId, newId()), result: 'denied', reason: 'X' });
    const touched = f.store.touchLastUsed(newId(), T0, T0);
    await new Promise((r) => setTimeout(r, 100));
    expect((await f.store.listAudit({ organizationId: f.orgId })).some((a) => a.reason === 'X')).toBe(false);
    f.other.exec('COMMIT');
    await appended;
    await touched;
    expect((await f.store.listAudit({ organizationId: f.orgId })).some((a) => a.reason === 'X')).toBe(true);
  });

  it('a lock held past the wait fails the write with StoreUnavailableError, and nothing of it is written', async () => {
    const f = await fixture(300);
    f.other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    const { value: error, stallMs } = await longestStall(
      createKey(f.store, f.orgId, f.userId).then(
        () => null,
        (err: unknown) => err,
      ),
    );
    const waited = performance.now() - started;
    expect(isStoreUnavailable(error)).toBe(true);
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(2_000);
    expect(stallMs).toBeLessThan(50);
    f.other.exec('ROLLBACK');
    expect(await f.store.listLiveKeys(f.orgId, T0)).toHaveLength(1);
    // And the store works again.
    expect((await createKey(f.store, f.orgId, f.userId)).outcome.status).toBe('created');
  });
});
