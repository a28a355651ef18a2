import { ROLES } from '@codika/contract/operations';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { runAuthzMatrix, runRoleGrid } from '../test-support/authz-matrix.js';
import { createTestApp, seedUser, snapshotKeys, withoutRequestId } from '../test-support/http.js';

const PATH = '/updateorganizationmemberpublic';

describe('POST /updateorganizationmemberpublic — authorization matrix (by userId)', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'member',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    body: ({ userId }) => ({ userId, role: 'admin' }),
  });
});

describe('POST /updateorganizationmemberpublic — authorization matrix (by email)', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'member',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    body: ({ email }) => ({ email, role: 'admin' }),
  });
});

describe('POST /updateorganizationmemberpublic — role grid (callers × targets × new role)', () => {
  runRoleGrid({
    path: PATH,
    kind: 'member',
    audited: true,
    newRoles: ROLES,
    body: ({ userId }, role) => ({ userId, role }),
    applied: async (t, target, role) => (await t.store.getMembership(t.orgA.id, target.userId))?.role === role,
  });
});

describe('POST /updateorganizationmemberpublic', () => {
  it('changes a role, answers the member and the previous role, and records before/after', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, { email: 'member@acme.test', role: 'admin' }, { key: t.keys.admin.raw });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      member: {
        userId: t.users.member.id,
        email: 'member@acme.test',
        role: 'admin',
        joinedAt: '2026-03-31T14:00:00.000Z',
        liveKeyCount: 1,
      },
      previousRole: 'member',
    });
    expect((await t.audit()).at(-1)).toMatchObject({
      action: 'member.update',
      result: 'allowed',
      requestId: res.body.requestId,
      actorUserId: t.users.admin.id,
      targetUserId: t.users.member.id,
      before: { email: 'member@acme.test', role: 'member' },
      after: { email: 'member@acme.test', role: 'admin' },
    });
    // The promoted member's key manages keys from the very next request.
    expect((await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.member.raw })).status).toBe(200);
    await t.close();
  });

  it("a demotion keeps the member's keys but takes api-keys:manage away at once", async () => {
    const t = await createTestApp();
    expect((await t.call(PATH, { userId: t.users.admin.id, role: 'member' }, { key: t.keys.owner.raw })).status).toBe(200);
    expect((await t.call('/verifyapikey', {}, { key: t.keys.admin.raw })).status).toBe(200);
    const list = await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.admin.raw });
    expect(list.status).toBe(403);
    expect(list.body.error.code).toBe('NOT_ORG_ADMIN');
    await t.close();
  });

  it('refuses changing one’s own role (409 SELF_ROLE_CHANGE), except an owner stepping down while another owner remains', async () => {
    const t = await createTestApp();
    const before = await snapshotKeys(t);
    let res = await t.call(PATH, { userId: t.users.admin.id, role: 'member' }, { key: t.keys.admin.raw });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'SELF_ROLE_CHANGE', message: 'You cannot change your own role or remove yourself' });
    // The only owner cannot step down: the organization would have none.
    res = await t.call(PATH, { userId: t.users.owner.id, role: 'admin' }, { key: t.keys.owner.raw });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({ code: 'LAST_OWNER', message: 'The organization must keep at least one owner' });
    expect(await snapshotKeys(t)).toEqual(before);

    await seedUser(t.store, t.orgA.id, 'second-owner@acme.test', 'owner');
    res = await t.call(PATH, { email: 'owner@acme.test', role: 'admin' }, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    expect(res.body.data.previousRole).toBe('owner');
    // …and now, an admin, they cannot take it back.
    res = await t.call(PATH, { email: 'owner@acme.test', role: 'owner' }, { key: t.keys.owner.raw });
    expect(res.body.error.code).toBe('ROLE_HIERARCHY');
    await t.close();
  });

  it('answers the same 404 MEMBER_NOT_FOUND for another organization’s member, a former member and a stranger, by id or e-mail', async () => {
    const t = await createTestApp();
    const before = await snapshotKeys(t);
    const texts = new Set<string>();
    for (const body of [
      { userId: t.users.otherMember.id },
      { userId: t.users.otherOwner.id },
      { userId: t.users.former.id },
      { userId: newId() },
      { email: 'member@other.test' },
      { email: 'former@acme.test' },
      { email: 'nobody@acme.test' },
    ]) {
      const res = await t.call(PATH, { ...body, role: 'member' }, { key: t.keys.owner.raw });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'MEMBER_NOT_FOUND', message: 'No such member of this organization' });
      texts.add(withoutRequestId(res.text));
    }
    expect(texts.size).toBe(1);
    expect(await snapshotKeys(t)).toEqual(before);
    await t.close();
  });

  it('takes exactly one of userId and email (400 otherwise), with an audit row', async () => {
    const t = await createTestApp();
    const count = async () => (await t.audit()).length;
    for (const [body, field] of [
      [{ role: 'admin' }, 'userId'],
      [{ userId: t.users.member.id, email: 'member@acme.test', role: 'admin' }, 'email'],
      [{ userId: t.users.member.id }, 'role'],
      [{ userId: t.users.member.id, role: 'root' }, 'role'],
    ] as const) {
      const before = await count();
      const res = await t.call(PATH, body, { key: t.keys.owner.raw });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.error.details)).toEqual([field]);
      expect(await count()).toBe(before + 1);
      expect((await t.audit()).at(-1)).toMatchObject({
        action: 'member.update',
        result: 'denied',
        reason: 'VALIDATION_ERROR',
        targetUserId: 'userId' in body ? body.userId : null,
      });
    }
    expect((await t.store.getMembership(t.orgA.id, t.users.member.id))?.role).toBe('member');
    await t.close();
  });
});
