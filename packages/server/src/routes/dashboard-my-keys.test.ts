import { describe, expect, it } from 'vitest';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey } from '../test-support/http.js';
import { openUserSession, withSession } from '../test-support/sessions.js';

const LIST = '/dashboard/api/my-keys';
const REVOKE = '/dashboard/api/my-keys/revoke';

describe('POST /dashboard/api/my-keys — authorization matrix (caller axis)', () => {
  runAuthzMatrix({ path: LIST, target: 'none', scope: null, callers: 'user', audited: false, mutates: false, body: () => ({}) });
});

describe('POST /dashboard/api/my-keys/revoke — authorization matrix', () => {
  runAuthzMatrix({
    path: REVOKE,
    target: 'key',
    scope: null,
    callers: 'user',
    ownKeysOnly: true,
    audited: true,
    mutates: true,
    body: ({ keyId }) => ({ keyId }),
  });
});

describe("a member's own keys", () => {
  it('lists only the live keys the person created in the session organization', async () => {
    const t = await createTestApp();
    const second = await seedKey(t.store, t.orgA.id, t.users.member.id, { name: 'Member CI', scopes: ['projects:read'] });
    // The member's key in another organization stays out.
    await t.store.setMembership({ organizationId: t.orgB.id, userId: t.users.member.id, role: 'member' });
    await seedKey(t.store, t.orgB.id, t.users.member.id, { name: 'Elsewhere' });
    const expiring = await seedKey(t.store, t.orgA.id, t.users.member.id, {
      name: 'Expiring',
      expiresAt: new Date(t.clock.now().getTime() + 1000).toISOString(),
    });
    const id = await openUserSession(t, t.users.member.id, t.orgA.id);
    const res = await t.call(LIST, {}, withSession(id));
    expect(res.status).toBe(200);
    expect(res.body.data.keys.map((k: { name: string }) => k.name)).toEqual(['Member key', 'Member CI', 'Expiring']);
    expect(res.body.data.keys[1]).toMatchObject({
      keyId: second.id,
      scopes: ['projects:read'],
      createdBy: { userId: t.users.member.id, email: 'member@acme.test' },
    });
    expect(res.text).not.toMatch(/"hash"/);
    t.clock.advance(1000);
    const later = await t.call(LIST, {}, withSession(id));
    expect(later.body.data.keys.map((k: { keyId: string }) => k.keyId)).not.toContain(expiring.id);
    await t.close();
  });

  it('revokes one of them: it stops authenticating at once, and the audit row names the person and no key', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.member.id, t.orgA.id);
    const res = await t.call(REVOKE, { keyId: t.keys.member.id }, withSession(id));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ keyId: t.keys.member.id, revokedAt: t.clock.now().toISOString() });
    expect((await t.call('/verifyapikey', {}, { key: t.keys.member.raw })).status).toBe(401);
    expect((await t.audit()).at(-1)).toMatchObject({
      action: 'key.revoke',
      result: 'allowed',
      actorKeyId: null,
      actorUserId: t.users.member.id,
      organizationId: t.orgA.id,
      targetKeyId: t.keys.member.id,
    });
    // Once revoked it is gone from the list, and a second revoke is not found.
    expect((await t.call(LIST, {}, withSession(id))).body.data.keys).toEqual([]);
    const again = await t.call(REVOKE, { keyId: t.keys.member.id }, withSession(id));
    expect([again.status, again.body.error.code]).toEqual([404, 'KEY_NOT_FOUND']);
    await t.close();
  });

  it("answers another person's key exactly like one that does not exist, and audits the refusal", async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.member.id, t.orgA.id);
    const theirs = await t.call(REVOKE, { keyId: t.keys.admin.id }, withSession(id));
    const none = await t.call(REVOKE, { keyId: 'never-existed-key-id' }, withSession(id));
    expect([theirs.status, theirs.body.error]).toEqual([none.status, none.body.error]);
    expect(theirs.body.error.code).toBe('KEY_NOT_FOUND');
    expect((await t.call('/verifyapikey', {}, { key: t.keys.admin.raw })).status).toBe(200);
    const denied = (await t.audit()).filter((row) => row.targetKeyId === t.keys.admin.id && row.result === 'denied');
    expect(denied).toMatchObject([
      { action: 'key.revoke', reason: 'KEY_NOT_FOUND', actorKeyId: null, actorUserId: t.users.member.id },
    ]);
    await t.close();
  });

  it('follows the membership as it is now: a removed member is signed out', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.member.id, t.orgA.id);
    expect((await t.call(LIST, {}, withSession(id))).status).toBe(200);
    await t.store.removeMembership(t.orgA.id, t.users.member.id);
    const res = await t.call(REVOKE, { keyId: t.keys.member.id }, withSession(id));
    expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await t.call('/verifyapikey', {}, { key: t.keys.member.raw })).status).toBe(401);
    await t.close();
  });

  it("refuses an API key, even the person's own (a CI key must not list or revoke its siblings)", async () => {
    const t = await createTestApp();
    for (const [path, body] of [
      [LIST, {}],
      [REVOKE, { keyId: t.keys.member.id }],
    ] as const) {
      const res = await t.call(path, body, { key: t.keys.member.raw });
      expect([res.status, res.body.error.code]).toEqual([403, 'USER_SESSION_REQUIRED']);
    }
    expect((await t.call('/verifyapikey', {}, { key: t.keys.member.raw })).status).toBe(200);
    await t.close();
  });

  it('needs the CSRF header like every cookie request', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.member.id, t.orgA.id);
    const res = await t.call(REVOKE, { keyId: t.keys.member.id }, withSession(id, {}));
    expect([res.status, res.body.error.code]).toEqual([403, 'CSRF_REJECTED']);
    expect((await t.call('/verifyapikey', {}, { key: t.keys.member.raw })).status).toBe(200);
    await t.close();
  });
});
