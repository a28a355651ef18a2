import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { startAuditRetention } from './audit-retention.js';
import { DENIED_ATTEMPT_BUDGET_ENV } from './commands/auth-budget.js';
import type { CommandIO } from './commands/command-deps.js';
import { parseStartOptions, runStart, type StartDeps } from './commands/start.js';
import { newId } from './ids.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';

const NOW = Date.parse('2026-03-31T14:00:00.000Z');
const DAY_MS = 24 * 60 * 60 * 1000;

async function seedRows(store: Store, ages: number[]): Promise<string> {
  const org = await store.createOrganization({
    id: newId(),
    name: 'Kept',
    createdAt: new Date(NOW - 400 * DAY_MS).toISOString(),
  });
  for (const days of ages) {
    await store.appendAudit({
      at: new Date(NOW - days * DAY_MS).toISOString(),
      requestId: newId(),
      action: 'key.update',
      result: 'denied',
      reason: 'INSUFFICIENT_SCOPE',
      actorKeyId: null,
      actorUserId: null,
      organizationId: org.id,
      targetKeyId: null,
      before: null,
      after: null,
      sourceIp: null,
      userAgent: 'vitest',
    });
  }
  return org.id;
}

const agesOf = async (store: Store, org: string) =>
  (await store.queryAudit({ organizationId: org, limit: 100 })).entries.map((e) => Math.round((NOW - Date.parse(e.at)) / DAY_MS));

describe('audit retention', () => {
  it('deletes the rows older than the retention at once and on every interval, nothing newer', async () => {
    const store = await openStore({ sqliteFile: ':memory:' });
    await store.migrate();
    const org = await seedRows(store, [100, 40, 31, 29, 1]);
    let now = NOW;
    const reports: unknown[] = [];
    const retention = startAuditRetention({
      store,
      clock: () => new Date(now),
      days: 30,
      intervalMs: 60_000,
      report: (outcome) => reports.push(outcome),
    });
    try {
      await retention.runOnce();
      expect((await agesOf(store, org)).sort((a, b) => a - b)).toEqual([1, 29]);
      expect(reports).toContainEqual({ deleted: 3, before: new Date(NOW - 30 * DAY_MS).toISOString() });
      now += 2 * DAY_MS; // the 29-day-old row is now 31 days old
      expect(await retention.runOnce()).toBe(1);
      expect(await agesOf(store, org)).toEqual([1]);
    } finally {
      retention.stop();
      await store.close();
    }
  });
});

describe('codika-server start --audit-retention-days, --denied-attempt-budget', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codika-retention-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses the flags and refuses nonsense', () => {
    expect(parseStartOptions({ auditRetentionDays: '90' }, {}).auditRetentionDays).toBe(90);
    expect(parseStartOptions({}, {}).auditRetentionDays).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', 'forever']) {
      expect(() => parseStartOptions({ auditRetentionDays: bad }, {}), bad).toThrow(/--audit-retention-days/);
    }
    expect(parseStartOptions({ deniedAttemptBudget: '5/10' }, {}).deniedAttemptBudget).toEqual({ max: 5, windowMs: 10_000 });
    expect(parseStartOptions({}, { [DENIED_ATTEMPT_BUDGET_ENV]: 'off' }).deniedAttemptBudget).toBe(false);
    expect(() => parseStartOptions({ deniedAttemptBudget: 'many' }, {})).toThrow(/--denied-attempt-budget/);
  });

  it('start with the flag purges old rows; without it they are kept', async () => {
    const db = join(dir, 'codika.db');
    const seeded = await openStore({ sqliteFile: db });
    await seeded.migrate();
    const org = await seedRows(seeded, [400, 10]);
    await seeded.close();

    for (const [flags, expected] of [
      [{}, [10, 400]],
      [{ auditRetentionDays: '365' }, [10]],
    ] as const) {
      let out = '';
      let stop: (signal: string) => void = () => {};
      const io: CommandIO = { out: (t) => (out += t), err: () => {} };
      const deps: StartDeps = {
        io,
        clock: () => new Date(NOW),
        openStore,
        buildApp,
        logger: false,
        waitForShutdown: () => new Promise<string>((resolve) => (stop = resolve)),
      };
      const running = runStart(parseStartOptions({ db, port: '0', ...flags }, {}), deps);
      for (let i = 0; i < 300 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(out.includes('Audit retention'), JSON.stringify(flags)).toBe('auditRetentionDays' in flags);
      // Let the first purge finish, then stop.
      await new Promise((r) => setTimeout(r, 100));
      stop('SIGTERM');
      expect(await running).toBe(0);
      const store = await openStore({ sqliteFile: db });
      expect((await agesOf(store, org)).sort((a, b) => a - b)).toEqual(expected);
      await store.close();
    }
  });
});
