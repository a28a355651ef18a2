import type { AuditEvent } from '@codika/contract/schemas';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../store/types.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, type TestApp } from '../test-support/http.js';
import { decodeCursor, encodeCursor } from './list-audit-events.js';

const PATH = '/listauditeventspublic';
const UPDATE = '/updateorganizationapikeypublic';
const HOUR_MS = 60 * 60 * 1000;

describe('POST /listauditeventspublic — authorization matrix', () => {
  runAuthzMatrix({ path: PATH, target: 'none', scope: 'api-keys:manage', audited: false, mutates: false, body: () => ({}) });
});

/**
 * Traffic of every kind in organization A, an hour apart each: an allowed update by the owner,
 * a dry run by the admin on the admin's own key, a refused update by the admin (ROLE_HIERARCHY),
 * a refused update by the key lacking api-keys:manage (INSUFFICIENT_SCOPE), a member added;
 * and an update in organization B.
 */
async function traffic(t: TestApp): Promise<{ requestIds: string[]; times: string[] }> {
  const requestIds: string[] = [];
  const times: string[] = [];
  const step = async (path: string, body: unknown, key: string, status: number) => {
    t.clock.advance(HOUR_MS);
    times.push(t.clock.now().toISOString());
    const res = await t.call(path, body, { key, headers: { 'user-agent': 'audit-test/1.0' } });
    expect(res.status).toBe(status);
    requestIds.push(res.body.requestId);
  };
  await step(UPDATE, { keyId: t.keys.target.id, addScopes: ['instances:read'] }, t.keys.owner.raw, 200);
  await step(UPDATE, { keyId: t.keys.admin.id, name: 'Admin key 2', dryRun: true }, t.keys.admin.raw, 200);
  await step(UPDATE, { keyId: t.keys.target.id, name: 'Taken over' }, t.keys.admin.raw, 403);
  await step(UPDATE, { keyId: t.keys.target.id, name: 'No scope' }, t.keys.lacking.raw, 403);
  await step('/addorganizationmemberpublic', { email: 'new@acme.test', role: 'member' }, t.keys.owner.raw, 200);
  await step(UPDATE, { keyId: t.keys.otherTarget.id, name: 'B renamed' }, t.keys.other.raw, 200);
  return { requestIds, times };
}

/** The rows of organization A the store holds, newest first: the oracle each filter is checked against. */
async function rowsOfA(t: TestApp, keep: (row: AuditEntry) => boolean = () => true): Promise<string[]> {
  return (await t.audit())
    .filter((row) => row.organizationId === t.orgA.id && keep(row))
    .map((row) => row.id)
    .reverse();
}

async function list(t: TestApp, body: Record<string, unknown>, key = t.keys.admin.raw): Promise<AuditEvent[]> {
  const res = await t.call(PATH, body, { key });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data.events;
}

/** Every event of a query, following the cursors (`limit` per page). */
async function all(t: TestApp, body: Record<string, unknown>, key = t.keys.admin.raw): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await t.call(PATH, { ...body, ...(cursor === undefined ? {} : { cursor }) }, { key });
    expect(res.status).toBe(200);
    out.push(...res.body.data.events);
    cursor = res.body.data.nextCursor;
    if (cursor === undefined) return out;
  }
  throw new Error('no last page');
}

const ids = (events: AuditEvent[]) => events.map((e) => e.eventId);

describe('POST /listauditeventspublic', () => {
  it('answers the events of the caller’s organization, newest first, with actor, target, before/after', async () => {
    const t = await createTestApp();
    const { requestIds } = await traffic(t);
    const events = await list(t, {});
    expect(ids(events)).toEqual(await rowsOfA(t));
    const update = events.find((e) => e.requestId === requestIds[0]);
    expect(update).toEqual({
      eventId: expect.any(String),
      at: '2026-03-31T15:00:00.000Z',
      action: 'key.update',
      outcome: 'allowed',
      actor: { keyId: t.keys.owner.id, userId: t.users.owner.id, ip: '127.0.0.1', userAgent: 'audit-test/1.0' },
      target: { keyId: t.keys.target.id },
      before: { name: 'CI Deploy Key', description: 'Used by CI', scopes: ['deploy:use-case', 'projects:read'] },
      after: { name: 'CI Deploy Key', description: 'Used by CI', scopes: ['deploy:use-case', 'instances:read', 'projects:read'] },
      requestId: requestIds[0],
    });
    const denied = events.find((e) => e.requestId === requestIds[2]);
    expect(denied).toMatchObject({ outcome: 'denied', reason: 'ROLE_HIERARCHY', actor: { keyId: t.keys.admin.id } });
    const member = events.find((e) => e.requestId === requestIds[4]);
    expect(member).toMatchObject({ action: 'member.add', target: { userId: expect.any(String) }, after: { role: 'member' } });
    // Seeded rows written by the operator have no actor.
    expect(events.at(-1)).toMatchObject({ action: 'key.create', actor: { userAgent: 'seed' } });
    expect(events.at(-1)?.actor).not.toHaveProperty('keyId');
    await t.close();
  });

  it('filters by each field, alone and together, exactly as the stored rows say', async () => {
    const t = await createTestApp();
    const { times } = await traffic(t);
    const cases: [Record<string, unknown>, (row: AuditEntry) => boolean][] = [
      [{ keyId: t.keys.target.id }, (r) => r.targetKeyId === t.keys.target.id],
      [{ actorKeyId: t.keys.admin.id }, (r) => r.actorKeyId === t.keys.admin.id],
      [{ actorUserId: t.users.owner.id }, (r) => r.actorUserId === t.users.owner.id],
      [{ action: 'key.update' }, (r) => r.action === 'key.update'],
      [{ action: ['member.add', 'key.revoke'] }, (r) => r.action === 'member.add' || r.action === 'key.revoke'],
      [{ outcome: 'allowed' }, (r) => r.result === 'allowed'],
      [{ outcome: 'denied' }, (r) => r.result === 'denied'],
      [{ outcome: 'dry_run' }, (r) => r.result === 'dry_run'],
      [{ since: times[2] }, (r) => r.at >= (times[2] as string)],
      [{ until: times[2] }, (r) => r.at < (times[2] as string)],
      [{ since: times[1], until: times[3] }, (r) => r.at >= (times[1] as string) && r.at < (times[3] as string)],
      [
        { keyId: t.keys.target.id, outcome: 'denied', action: 'key.update' },
        (r) => r.targetKeyId === t.keys.target.id && r.result === 'denied' && r.action === 'key.update',
      ],
    ];
    const everything = await rowsOfA(t);
    for (const [filter, keep] of cases) {
      const expected = await rowsOfA(t, keep);
      // Each filter keeps something and leaves something out, so a filter ignored would fail.
      expect(expected.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(expected.length, JSON.stringify(filter)).toBeLessThan(everything.length);
      expect(ids(await list(t, filter)), JSON.stringify(filter)).toEqual(expected);
    }
    await t.close();
  });

  it('pages by cursor: every event once, in order; the last page has no nextCursor', async () => {
    const t = await createTestApp();
    await traffic(t);
    const everything = await rowsOfA(t);
    expect(everything.length).toBeGreaterThan(6);
    for (const limit of [1, 2, 3, everything.length, 500]) {
      expect(ids(await all(t, { limit })), `limit ${limit}`).toEqual(everything);
    }
    const first = await t.call(PATH, { limit: 2 }, { key: t.keys.admin.raw });
    expect(first.body.data.events).toHaveLength(2);
    expect(typeof first.body.data.nextCursor).toBe('string');
    const last = await t.call(PATH, { limit: everything.length }, { key: t.keys.admin.raw });
    expect(last.body.data).not.toHaveProperty('nextCursor');
    // Filters and cursor together.
    expect(ids(await all(t, { limit: 1, action: 'key.update' }))).toEqual(await rowsOfA(t, (r) => r.action === 'key.update'));
    await t.close();
  });

  it('refuses a cursor it did not make, and limits outside 1–500', async () => {
    const t = await createTestApp();
    for (const cursor of [
      'x',
      'bm90IGEgY3Vyc29y',
      encodeCursor('not-an-id'),
      `${encodeCursor('0192b2a8-0000-7000-8000-000000000000')}=`,
    ]) {
      const res = await t.call(PATH, { cursor }, { key: t.keys.admin.raw });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { cursor: expect.any(String) } });
    }
    for (const limit of [0, 501, 1.5]) {
      const res = await t.call(PATH, { limit }, { key: t.keys.admin.raw });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toHaveProperty('limit');
    }
    for (const body of [{ outcome: 'dry-run' }, { action: 'key.explode' }, { since: 'yesterday' }, { organizationId: 'x' }]) {
      expect((await t.call(PATH, body, { key: t.keys.admin.raw })).status, JSON.stringify(body)).toBe(400);
    }
    const id = '0192b2a8-0000-7000-8000-000000000000';
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    await t.close();
  });

  it('an admin of organization A reads nothing of organization B, whatever the filters name', async () => {
    const t = await createTestApp();
    await traffic(t);
    const rowsOfB = (await t.audit()).filter((r) => r.organizationId === t.orgB.id).map((r) => r.id);
    expect(rowsOfB.length).toBeGreaterThan(0);
    const probes = [
      {},
      { keyId: t.keys.otherTarget.id },
      { actorKeyId: t.keys.other.id },
      { actorUserId: t.users.otherOwner.id },
      { limit: 500 },
    ];
    for (const filter of probes) {
      const seen = ids(await all(t, filter));
      expect(
        seen.filter((id) => rowsOfB.includes(id)),
        JSON.stringify(filter),
      ).toEqual([]);
    }
    expect(await list(t, { keyId: t.keys.otherTarget.id })).toEqual([]);
    // B's owner sees B's rows and none of A's.
    const seenByB = ids(await all(t, {}, t.keys.other.raw));
    expect([...seenByB].sort()).toEqual([...rowsOfB].sort());
    // A cursor taken from B's log does not open B's log to A.
    const pageOfB = await t.call(PATH, { limit: 1 }, { key: t.keys.other.raw });
    const fromB = await all(t, { cursor: pageOfB.body.data.nextCursor ?? encodeCursor(rowsOfB[0] as string) });
    expect(ids(fromB).filter((id) => rowsOfB.includes(id))).toEqual([]);
    await t.close();
  });

  it('pages stay stable while others write: no event twice, none of those already written skipped', async () => {
    const t = await createTestApp();
    await traffic(t);
    const before = await rowsOfA(t);
    // Writers: updates of the target key, one after another, while a reader pages 2 at a time.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await t.call(UPDATE, { keyId: t.keys.target.id, name: `rename ${written}` }, { key: t.keys.owner.raw });
        expect(res.status).toBe(200);
        written++;
      }
    })();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await t.call(PATH, { limit: 2, ...(cursor === undefined ? {} : { cursor }) }, { key: t.keys.admin.raw });
      expect(res.status).toBe(200);
      seen.push(...ids(res.body.data.events));
      cursor = res.body.data.nextCursor;
      // Let a write in between pages.
      await new Promise((resolve) => setImmediate(resolve));
    } while (cursor !== undefined);
    writing = false;
    await writer;
    expect(written).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    // Strictly newest first across pages.
    expect([...seen].sort().reverse()).toEqual(seen);
    await t.close();
  });
});
