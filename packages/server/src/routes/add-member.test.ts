import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, snapshotKeys, T0 } from '../test-support/http.js';

const PATH = '/addorganizationmemberpublic';

describe('POST /addorganizationmemberpublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'none',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    body: () => ({ email: `new-${newId()}@acme.test`, role: 'member' }),
  });
});

describe('POST /addorganizationmemberpublic', () => {
  it('adds a new person (the user is created) with the role asked; an audit row records it', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, { email: ' Dana@Acme.test ', role: 'admin' }, { key: t.keys.admin.raw });
    expect(res.status).toBe(200);
    const member = res.body.data.member;
    expect(member).toEqual({ userId: expect.any(String), email: 'dana@acme.test', role: 'admin', joinedAt: T0, liveKeyCount: 0 });
    expect(res.body.data.previousRole).toBeUndefined();
    expect((await t.store.getUserByEmail('dana@acme.test'))?.id).toBe(member.userId);
    expect((await t.audit()).at(-1)).toMatchObject({
      action: 'member.add',
      result: 'allowed',
      requestId: res.body.requestId,
      actorKeyId: t.keys.admin.id,
      organizationId: t.orgA.id,
      targetUserId: member.userId,
      before: null,
      after: { email: 'dana@acme.test', role: 'admin' },
    });
    const list = await t.call('/listorganizationmemberspublic', {}, { key: t.keys.owner.raw });
    expect(list.body.data.members.map((m: { email: string }) => m.email)).toContain('dana@acme.test');
    await t.close();
  });

  it('adds a user of another organization as the same user, leaving their other membership alone', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, { email: 'member@other.test', role: 'member' }, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    expect(res.body.data.member.userId).toBe(t.users.otherMember.id);
    expect((await t.store.getMembership(t.orgB.id, t.users.otherMember.id))?.role).toBe('member');
    await t.close();
  });

  it('lets only an owner add an owner', async () => {
    const t = await createTestApp();
    const before = await snapshotKeys(t);
    const denied = await t.call(PATH, { email: 'eve@acme.test', role: 'owner' }, { key: t.keys.admin.raw });
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('ROLE_HIERARCHY');
    expect(await snapshotKeys(t)).toEqual(before);
    expect(await t.store.getUserByEmail('eve@acme.test')).toBeUndefined();
    expect((await t.audit()).at(-1)).toMatchObject({ action: 'member.add', result: 'denied', reason: 'ROLE_HIERARCHY' });
    const ok = await t.call(PATH, { email: 'eve@acme.test', role: 'owner' }, { key: t.keys.owner.raw });
    expect(ok.body.data.member.role).toBe('owner');
    await t.close();
  });

  it('answers 409 MEMBER_EXISTS for a member, whatever role is asked, and changes nothing', async () => {
    const t = await createTestApp();
    const before = await snapshotKeys(t);
    for (const role of ['member', 'admin']) {
      const res = await t.call(PATH, { email: 'MEMBER@acme.test', role }, { key: t.keys.admin.raw });
      expect(res.status).toBe(409);
      expect(res.body.error).toEqual({
        code: 'MEMBER_EXISTS',
        message: 'This person is already a member of the organization; change their role with /updateorganizationmemberpublic',
        details: { userId: t.users.member.id, role: 'member' },
      });
    }
    expect(await snapshotKeys(t)).toEqual(before);
    expect((await t.audit()).at(-1)).toMatchObject({
      action: 'member.add',
      result: 'denied',
      reason: 'MEMBER_EXISTS',
      targetUserId: t.users.member.id,
    });
    await t.close();
  });

  it('validates the address and the role (400), with one audit row per attempt', async () => {
    const t = await createTestApp();
    const count = async () => (await t.audit()).length;
    for (const [body, field] of [
      [{ email: 'not-an-address', role: 'member' }, 'email'],
      [{ email: 'a@acme.test\r\nBcc: x@evil.test', role: 'member' }, 'email'],
      [{ email: 'a@acme.test', role: 'superuser' }, 'role'],
      [{ email: 'a@acme.test' }, 'role'],
      [{ email: 'a@acme.test', role: 'member', organizationId: 'x' }, 'organizationId'],
    ] as const) {
      const before = await count();
      const res = await t.call(PATH, body, { key: t.keys.owner.raw });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(res.body.error.details)).toContain(field);
      expect(await count()).toBe(before + 1);
    }
    await t.close();
  });
});
