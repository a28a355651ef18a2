import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/http.js';
import { CSRF, openUserSession, withSession } from '../test-support/sessions.js';

const CHOOSE = '/dashboard/api/session/organization';
const CURRENT = '/dashboard/api/session/current';

describe('POST /dashboard/api/session/organization — a person chooses the organization', () => {
  it('a person of several organizations is asked to choose, then acts in the chosen one with the role there', async () => {
    const t = await createTestApp();
    await t.store.setMembership({ organizationId: t.orgB.id, userId: t.users.member.id, role: 'admin' });
    const id = await openUserSession(t, t.users.member.id, null);
    const pending = await t.call(CURRENT, {}, withSession(id));
    expect(pending.status).toBe(200);
    expect(pending.body.data).toEqual({
      signedIn: false,
      chooseOrganization: {
        email: 'member@acme.test',
        organizations: [
          { organizationId: t.orgA.id, organizationName: 'Acme Corp', role: 'member' },
          { organizationId: t.orgB.id, organizationName: 'Other Org', role: 'admin' },
        ],
      },
    });
    // Nothing is reachable before the choice.
    expect((await t.call('/dashboard/api/my-keys', {}, withSession(id))).status).toBe(401);

    const chosen = await t.call(CHOOSE, { organizationId: t.orgB.id }, withSession(id));
    expect(chosen.status).toBe(200);
    expect(chosen.body.data).toMatchObject({ signedIn: true, type: 'user', role: 'admin', organizationId: t.orgB.id });
    const listed = await t.call('/listorganizationapikeyspublic', {}, withSession(id));
    expect(listed.body.data.keys.map((k: { keyId: string }) => k.keyId)).toContain(t.keys.otherTarget.id);

    // Switching back: now a member of Acme Corp, without api-keys:manage.
    const back = await t.call(CHOOSE, { organizationId: t.orgA.id }, withSession(id));
    expect(back.body.data).toMatchObject({ role: 'member', organizationId: t.orgA.id });
    expect((await t.call('/listorganizationapikeyspublic', {}, withSession(id))).body.error.code).toBe('INSUFFICIENT_SCOPE');
    await t.close();
  });

  it('refuses an organization the person does not belong to, or that does not exist, with one answer', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.member.id, null);
    const foreign = await t.call(CHOOSE, { organizationId: t.orgB.id }, withSession(id));
    const none = await t.call(CHOOSE, { organizationId: 'no-such-organization' }, withSession(id));
    expect([foreign.status, foreign.body.error]).toEqual([404, none.body.error]);
    expect(foreign.body.error.code).toBe('ORGANIZATION_NOT_FOUND');
    expect((await t.call(CURRENT, {}, withSession(id))).body.data.signedIn).toBe(false);
    await t.close();
  });

  it('needs a live person session and the CSRF header; a key session cannot move to another organization', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.owner.id, null);
    const noCsrf = await t.call(CHOOSE, { organizationId: t.orgA.id }, withSession(id, {}));
    expect([noCsrf.status, noCsrf.body.error.code]).toEqual([403, 'CSRF_REJECTED']);
    const foreignOrigin = await t.call(
      CHOOSE,
      { organizationId: t.orgA.id },
      withSession(id, { ...CSRF, origin: 'https://evil.test' }),
    );
    expect(foreignOrigin.status).toBe(403);
    expect((await t.call(CHOOSE, { organizationId: t.orgA.id }, { headers: CSRF })).status).toBe(401);

    const signIn = await t.call('/dashboard/api/session', { apiKey: t.keys.other.raw }, { headers: CSRF });
    const keySession = /codika_session=([^;]+);/.exec(String(signIn.headers['set-cookie']))?.[1] as string;
    const moved = await t.call(CHOOSE, { organizationId: t.orgA.id }, withSession(keySession));
    expect([moved.status, moved.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await t.call(CURRENT, {}, withSession(keySession))).body.data).toMatchObject({ organizationId: t.orgB.id });

    t.clock.advance(12 * 60 * 60 * 1000);
    expect((await t.call(CHOOSE, { organizationId: t.orgA.id }, withSession(id))).status).toBe(401);
    await t.close();
  });

  it('validates the body', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.owner.id, null);
    const res = await t.call(CHOOSE, { organizationId: t.orgA.id, role: 'owner' }, withSession(id));
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    await t.close();
  });

  it('a person removed from the chosen organization is signed out (401, cookie deleted)', async () => {
    const t = await createTestApp();
    const id = await openUserSession(t, t.users.admin.id, t.orgA.id);
    await t.store.removeMembership(t.orgA.id, t.users.admin.id);
    const res = await t.call(CURRENT, {}, withSession(id));
    expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(String(res.headers['set-cookie'])).toMatch(/^codika_session=; Path=\/; Max-Age=0;/);
    await t.close();
  });
});
