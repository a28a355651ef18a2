import { describe, expect, it } from 'vitest';
import { runAuthzMatrix, runRoleGrid } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey, seedUser, snapshotKeys } from '../test-support/http.js';

const PATH = '/removeorganizationmemberpublic';

describe('POST /removeorganizationmemberpublic — authorization matrix (by userId)', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'member',
    scope: 'api-keys:manage',
    audited: true,
    auditAction: 'member.remove',
    mutates: true,
    body: ({ userId }) => ({ userId }),
  });
});

describe('POST /removeorganizationmemberpublic — authorization matrix (by email)', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'member',
    scope: 'api-keys:manage',
    audited: true,
    auditAction: 'member.remove',
    mutates: true,
    body: ({ email }) => ({ email }),
  });
});

describe('POST /removeorganizationmemberpublic — role grid (callers × targets)', () => {
  runRoleGrid({
    path: PATH,
    kind: 'member',
    audited: true,
    body: ({ userId }) => ({ userId }),
    applied: async (t, target) =>
      (await t.store.getMembership(t.orgA.id, target.userId)) === undefined && (await t.record(target.key)).revokedAt !== null,
  });
});

describe('POST /removeorganizationmemberpublic', () => {
  it("a removed member's keys answer 401 at once and forever — re-added and promoted, they stay dead; the audit has each revocation", async () => {
    const t = await createTestApp();
    const second = await seedKey(t.store, t.orgA.id, t.users.member.id, { name: 'second member key' });
    const keys = [t.keys.member, second];
    for (const k of keys) expect((await t.call('/verifyapikey', {}, { key: k.raw })).status).toBe(200);

    t.clock.set('2026-03-31T16:00:00.000Z');
    const removed = await t.call(PATH, { email: 'member@acme.test' }, { key: t.keys.admin.raw });
    expect(removed.status).toBe(200);
    expect(removed.body.data).toEqual({
      userId: t.users.member.id,
      email: 'member@acme.test',
      revokedKeyIds: [t.keys.member.id, second.id],
    });
    for (const k of keys) expect((await t.call('/verifyapikey', {}, { key: k.raw })).status).toBe(401);

    const rows = (await t.audit()).filter((r) => r.requestId === removed.body.requestId);
    expect(rows.map((r) => [r.action, r.result, r.targetKeyId, r.targetUserId])).toEqual([
      ['key.revoke', 'allowed', t.keys.member.id, t.users.member.id],
      ['key.revoke', 'allowed', second.id, t.users.member.id],
      ['member.remove', 'allowed', null, t.users.member.id],
    ]);
    expect(rows[2]).toMatchObject({
      actorKeyId: t.keys.admin.id,
      before: { email: 'member@acme.test', role: 'member' },
      after: null,
    });

    // Back in the organization, even as an owner: the old keys stay revoked.
    const added = await t.call(
      '/addorganizationmemberpublic',
      { email: 'member@acme.test', role: 'owner' },
      { key: t.keys.owner.raw },
    );
    expect(added.status).toBe(200);
    expect(added.body.data.member).toMatchObject({ userId: t.users.member.id, liveKeyCount: 0 });
    t.clock.set('2027-03-31T16:00:00.000Z');
    for (const k of keys) {
      const res = await t.call('/verifyapikey', {}, { key: k.raw });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect((await t.record(k)).revokedAt).toBe('2026-03-31T16:00:00.000Z');
    }
    await t.close();
  });

  it('a dashboard session opened with a removed member’s key ends with the key', async () => {
    const t = await createTestApp();
    const origin = 'http://localhost:80';
    const signIn = await t.call(
      '/dashboard/api/session',
      { apiKey: t.keys.admin.raw },
      { headers: { origin, 'x-codika-csrf': '1' } },
    );
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    const session = { headers: { cookie, origin, 'x-codika-csrf': '1' } };
    expect((await t.call('/listorganizationapikeyspublic', {}, session)).status).toBe(200);
    expect((await t.call(PATH, { userId: t.users.admin.id }, { key: t.keys.owner.raw })).status).toBe(200);
    expect((await t.call('/listorganizationapikeyspublic', {}, session)).status).toBe(401);
    await t.close();
  });

  it('refuses removing oneself (even an owner with another owner beside), and an owner by an admin; changes nothing', async () => {
    const t = await createTestApp();
    await seedUser(t.store, t.orgA.id, 'second-owner@acme.test', 'owner');
    const before = await snapshotKeys(t);
    for (const [target, key, code] of [
      [t.users.admin, t.keys.admin, 'SELF_ROLE_CHANGE'],
      [t.users.owner, t.keys.owner, 'SELF_ROLE_CHANGE'],
      [t.users.owner, t.keys.admin, 'ROLE_HIERARCHY'],
    ] as const) {
      const res = await t.call(PATH, { userId: target.id }, { key: key.raw });
      expect(res.body.error.code).toBe(code);
      expect((await t.audit()).at(-1)).toMatchObject({
        action: 'member.remove',
        result: 'denied',
        reason: code,
        targetUserId: target.id,
      });
    }
    expect(await snapshotKeys(t)).toEqual(before);
    // Another owner may remove an owner.
    const second = await t.store.getUserByEmail('second-owner@acme.test');
    const ownerKey = await seedKey(t.store, t.orgA.id, second?.id as string);
    expect((await t.call(PATH, { userId: t.users.owner.id }, { key: ownerKey.raw })).status).toBe(200);
    await t.close();
  });

  it('takes exactly one of userId and email', async () => {
    const t = await createTestApp();
    const both = await t.call(PATH, { userId: t.users.member.id, email: 'member@acme.test' }, { key: t.keys.owner.raw });
    expect(both.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { email: expect.any(String) } });
    const neither = await t.call(PATH, {}, { key: t.keys.owner.raw });
    expect(neither.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { userId: expect.any(String) } });
    expect(await t.store.getMembership(t.orgA.id, t.users.member.id)).toBeDefined();
    await t.close();
  });
});
