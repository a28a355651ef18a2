import { SCOPES } from '@codika/contract/scopes';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { COMPLETE_LOGIN, requestCode, wrongCode } from '../test-support/accounts.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, T0 } from '../test-support/http.js';

const VERIFY = '/verifyapikey';
const ALL = [...SCOPES].sort();
const NO_MANAGE = ALL.filter((s) => s !== 'api-keys:manage');

describe('POST /clicompletelogin', () => {
  runAuthzMatrix({
    path: COMPLETE_LOGIN,
    auth: 'none',
    target: 'none',
    scope: null,
    audited: true,
    auditRows: 2,
    mutates: true,
    body: async (_target, t) => ({ email: 'admin@acme.test', code: await requestCode(t, 'login', 'admin@acme.test') }),
  });

  it('mints a key in the only organization, with the scopes of the role; the key works at once', async () => {
    const t = await createTestApp();
    for (const [email, scopes] of [
      ['owner@acme.test', ALL],
      ['admin@acme.test', ALL],
      ['member@acme.test', NO_MANAGE],
    ] as const) {
      const code = await requestCode(t, 'login', email);
      const res = await t.call(COMPLETE_LOGIN, { email, code, apiKey: { name: 'Laptop', expiresInDays: 30 } });
      expect(res.status, res.text).toBe(200);
      expect(res.body.data).toMatchObject({
        organizationId: t.orgA.id,
        organizationName: 'Acme Corp',
        apiKey: { name: 'Laptop', scopes, expiresAt: '2026-04-30T14:00:00.000Z' },
      });
      expect(res.body.data).not.toHaveProperty('isNewUser');
      const verify = await t.call(VERIFY, {}, { key: res.body.data.apiKey.raw });
      expect(verify.body.data).toMatchObject({ keyId: res.body.data.apiKey.keyId, scopes });
      const user = await t.store.getUserByEmail(email);
      const rows = (await t.audit()).filter((r) => r.requestId === res.body.requestId);
      expect(rows.map((r) => r.action).sort()).toEqual(['account.login', 'key.create']);
      for (const r of rows)
        expect(r).toMatchObject({ organizationId: t.orgA.id, targetUserId: user?.id, targetKeyId: res.body.data.apiKey.keyId });
    }
    await t.close();
  });

  it('several organizations: 409 MULTIPLE_ORGANIZATIONS with the list; the same code then signs in to the one chosen', async () => {
    const t = await createTestApp();
    await t.store.setMembership({ organizationId: t.orgB.id, userId: t.users.owner.id, role: 'member' });
    const code = await requestCode(t, 'login', 'owner@acme.test');
    const res = await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code });
    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: 'MULTIPLE_ORGANIZATIONS',
      message: 'This user belongs to 2 organizations; choose one with organizationId',
      nextAction: 'Re-run with --organization-id <id>',
      details: {
        organizations: [
          { id: t.orgA.id, name: 'Acme Corp' },
          { id: t.orgB.id, name: 'Other Org' },
        ],
      },
    });
    // Not consumed, not counted: asking again several times changes nothing.
    for (let i = 0; i < 5; i++) expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code })).status).toBe(409);
    const chosen = await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code, organizationId: t.orgB.id });
    expect(chosen.status).toBe(200);
    expect(chosen.body.data).toMatchObject({ organizationId: t.orgB.id, apiKey: { scopes: NO_MANAGE } });
    expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code, organizationId: t.orgA.id })).status).toBe(401);
    await t.close();
  });

  it('an organization the user is not in: 404 ORGANIZATION_NOT_FOUND with their organizations; the code is kept', async () => {
    const t = await createTestApp();
    const code = await requestCode(t, 'login', 'owner@acme.test');
    for (const organizationId of [t.orgB.id, newId()]) {
      const res = await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code, organizationId });
      expect(res.status).toBe(404);
      expect(res.body.error).toMatchObject({
        code: 'ORGANIZATION_NOT_FOUND',
        nextAction: expect.stringContaining('--organization-id'),
        details: { organizations: [{ id: t.orgA.id, name: 'Acme Corp' }] },
      });
    }
    expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code, organizationId: t.orgA.id })).status).toBe(200);
    await t.close();
  });

  it('a user in no organization: 403 NO_ORGANIZATION with a next step', async () => {
    const t = await createTestApp();
    await t.store.ensureUser({ id: newId(), email: 'loner@acme.test', createdAt: T0 });
    const code = await requestCode(t, 'login', 'loner@acme.test');
    const res = await t.call(COMPLETE_LOGIN, { email: 'loner@acme.test', code });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'NO_ORGANIZATION', nextAction: expect.stringContaining('Ask an admin') });
    await t.close();
  });

  it('a full organization: 429 MAX_API_KEYS_REACHED with a next step; nothing minted, the code kept', async () => {
    const t = await createTestApp({ maxKeysPerOrg: 5 });
    const code = await requestCode(t, 'login', 'admin@acme.test');
    const res = await t.call(COMPLETE_LOGIN, { email: 'admin@acme.test', code });
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({
      code: 'MAX_API_KEYS_REACHED',
      details: { limit: 5 },
      nextAction: expect.stringContaining('Revoke'),
    });
    expect(await t.store.listLiveKeys(t.orgA.id, T0)).toHaveLength(5);
    const revoke = await t.call('/revokeorganizationapikeypublic', { keyId: t.keys.target.id }, { key: t.keys.owner.raw });
    expect(revoke.status).toBe(200);
    expect((await t.call(COMPLETE_LOGIN, { email: 'admin@acme.test', code })).status).toBe(200);
    await t.close();
  });

  it('wrong codes: 401 INVALID_CODE, one audit row per organization of the person; the fifth burns the code', async () => {
    const t = await createTestApp();
    const code = await requestCode(t, 'login', 'owner@acme.test');
    for (let i = 0; i < 5; i++) {
      const res = await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code: wrongCode(code, i) });
      expect(res.status).toBe(401);
      expect(res.body.error.nextAction).toBe(
        'Check the code in the latest e-mail, or request a new one: codika auth login-request --email owner@acme.test',
      );
    }
    expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code })).status).toBe(401);
    const failed = (await t.audit()).filter((r) => r.action === 'account.code_failed');
    expect(failed).toHaveLength(6);
    for (const r of failed)
      expect(r).toMatchObject({ organizationId: t.orgA.id, targetUserId: t.users.owner.id, result: 'denied' });
    // A code for an address without an account, and a sign-up code, never sign in.
    expect((await t.call(COMPLETE_LOGIN, { email: 'ghost@acme.test', code: '123456' })).status).toBe(401);
    await t.close();
  });

  it('bad input is 400 and does not spend the code', async () => {
    const t = await createTestApp();
    const code = await requestCode(t, 'login', 'owner@acme.test');
    for (const body of [
      { email: 'owner@acme.test\r\nBcc: evil@attacker.test', code },
      { email: 'owner@acme.test', code, organizationId: '' },
      { email: 'owner@acme.test', code, organizationId: 'x'.repeat(129) },
      { email: 'owner@acme.test', code, apiKey: { expiresInDays: 1.5 } },
      { email: 'owner@acme.test', code, apiKey: { name: 'a\nb' } },
      { email: 'owner@acme.test', code: ' 12 34 ' },
      { email: 'owner@acme.test', code, company: { name: 'x' } },
    ]) {
      expect((await t.call(COMPLETE_LOGIN, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code: ` ${code} ` })).status).toBe(200);
    await t.close();
  });
});
