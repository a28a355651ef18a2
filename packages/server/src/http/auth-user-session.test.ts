/**
 * A person signed in to the dashboard by e-mailed code, on the API's own routes: the rights of
 * their role *now* (owner and admin manage keys as an all-scope key would; a member holds every
 * scope but api-keys:manage), audit rows that name the person and no key, and the routes that
 * need an API key refusing them.
 */
import { SCOPES } from '@codika/contract/scopes';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/http.js';
import { openUserSession, withSession } from '../test-support/sessions.js';

const CURRENT = '/dashboard/api/session/current';

describe("a person's dashboard session", () => {
  it('an admin manages keys as an all-scope key would, and the audit row names the person and no key', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.admin.id, t.orgA.id);
    const byKey = await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.owner.raw });
    const list = await t.call('/listorganizationapikeyspublic', {}, withSession(id));
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual(byKey.body.data);

    const created = await t.call(
      '/createorganizationapikeypublic',
      { organizationId: t.orgA.id, name: 'Made by code session', scopes: ['projects:read', 'api-keys:manage'] },
      withSession(id),
    );
    expect(created.status).toBe(200);
    const who = await t.call('/verifyapikey', {}, { key: created.body.data.apiKey });
    expect(who.body.data.scopes).toEqual(['api-keys:manage', 'projects:read']);
    const listed = await t.call('/getorganizationapikeypublic', { keyId: created.body.data.keyId }, withSession(id));
    expect(listed.body.data.createdBy).toEqual({ userId: t.users.admin.id, email: 'admin@acme.test' });

    const updated = await t.call(
      '/updateorganizationapikeypublic',
      { keyId: t.keys.member.id, name: 'Renamed' },
      withSession(id),
    );
    expect(updated.status).toBe(200);
    const revoked = await t.call('/revokeorganizationapikeypublic', { keyId: t.keys.member.id }, withSession(id));
    expect(revoked.status).toBe(200);
    // The role hierarchy holds for a person as for their key: the owner's key is not an admin's to change.
    const above = await t.call('/updateorganizationapikeypublic', { keyId: t.keys.target.id, name: 'Nope' }, withSession(id));
    expect([above.status, above.body.error.code]).toEqual([403, 'ROLE_HIERARCHY']);
    const rows = (await t.audit()).filter((r) => r.actorUserId === t.users.admin.id);
    expect(rows.map((r) => [r.action, r.result, r.actorKeyId])).toEqual([
      ['key.create', 'allowed', null],
      ['key.update', 'allowed', null],
      ['key.revoke', 'allowed', null],
      ['key.update', 'denied', null],
    ]);
    await t.close();
  });

  it('reads the role at every request: demoted to member, api-keys:manage is gone; removed, the session is', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.admin.id, t.orgA.id);
    const list = () => t.call('/listorganizationapikeyspublic', {}, withSession(id));
    expect((await list()).status).toBe(200);
    await t.store.setMembership({ organizationId: t.orgA.id, userId: t.users.admin.id, role: 'member' });
    const demoted = await list();
    expect([demoted.status, demoted.body.error.code, demoted.body.error.details]).toEqual([
      403,
      'INSUFFICIENT_SCOPE',
      { required: 'api-keys:manage' },
    ]);
    const current = await t.call(CURRENT, {}, withSession(id));
    expect(current.body.data).toMatchObject({ signedIn: true, type: 'user', role: 'member' });
    expect(current.body.data.scopes).not.toContain('api-keys:manage');
    expect(current.body.data.scopes).toHaveLength(9);
    await t.store.setMembership({ organizationId: t.orgA.id, userId: t.users.admin.id, role: 'owner' });
    expect((await list()).status).toBe(200);
    await t.store.removeMembership(t.orgA.id, t.users.admin.id);
    expect((await list()).body.error.code).toBe('UNAUTHENTICATED');
    await t.close();
  });

  it('a member may not escalate: no key operation, whatever the body', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.member.id, t.orgA.id);
    for (const [path, body] of [
      ['/createorganizationapikeypublic', { organizationId: t.orgA.id, name: 'x', scopes: ['projects:read'] }],
      ['/updateorganizationapikeypublic', { keyId: t.keys.member.id, addScopes: ['api-keys:manage'] }],
      ['/revokeorganizationapikeypublic', { keyId: t.keys.owner.id }],
      ['/listorganizationapikeyspublic', {}],
      ['/dashboard/api/audit', { keyId: t.keys.member.id }],
    ] as const) {
      const res = await t.call(path, body, withSession(id));
      expect([path, res.status, res.body.error.code]).toEqual([path, 403, 'INSUFFICIENT_SCOPE']);
    }
    expect((await t.call('/verifyapikey', {}, { key: t.keys.owner.raw })).status).toBe(200);
    await t.close();
  });

  it('/verifyapikey describes a key: a person has none (403 API_KEY_REQUIRED, no failed authentication counted)', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.owner.id, t.orgA.id);
    for (let i = 0; i < 25; i++) {
      const res = await t.call('/verifyapikey', {}, withSession(id));
      expect([res.status, res.body.error.code]).toEqual([403, 'API_KEY_REQUIRED']);
    }
    // Over the failed-authentication budget (20 a minute) nothing was spent.
    expect((await t.call('/listorganizationapikeyspublic', {}, withSession(id))).status).toBe(200);
    await t.close();
  });

  it("answers /dashboard/api/session/current with the person's data; the key header still wins", async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.owner.id, t.orgA.id);
    const res = await t.call(CURRENT, {}, withSession(id));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      signedIn: true,
      type: 'user',
      userId: t.users.owner.id,
      email: 'owner@acme.test',
      role: 'owner',
      organizationId: t.orgA.id,
      organizationName: 'Acme Corp',
      scopes: [...SCOPES],
    });
    const withKey = await t.call(CURRENT, {}, { key: t.keys.member.raw, headers: { cookie: `codika_session=${id}` } });
    expect(withKey.body.data).toMatchObject({ signedIn: true, type: 'org-api-key', keyId: t.keys.member.id });
    await t.close();
  });

  it('the request log names the person for a session without a key, never a session id', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.admin.id, t.orgA.id);
    await t.call('/listorganizationapikeyspublic', {}, withSession(id));
    const line = t.logs
      .lines()
      .find((l) => l.msg === 'request completed' && (l.req as { url?: string })?.url === '/listorganizationapikeyspublic');
    expect(line).toMatchObject({ callerUserId: t.users.admin.id });
    expect(line).not.toHaveProperty('callerKeyId');
    expect(t.logs.text()).not.toContain(id);
    await t.close();
  });
});
