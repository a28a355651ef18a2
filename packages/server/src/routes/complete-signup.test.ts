import { SCOPES } from '@codika/contract/scopes';
import { describe, expect, it } from 'vitest';
import { OPEN_SIGNUP } from '../accounts/policy.js';
import { COMPLETE_SIGNUP, requestCode, wrongCode } from '../test-support/accounts.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, type TestApp } from '../test-support/http.js';

const VERIFY = '/verifyapikey';

async function counts(t: TestApp, email: string) {
  const user = await t.store.getUserByEmail(email);
  return {
    user: user !== undefined,
    organizations: user ? (await t.store.listUserOrganizations(user.id)).length : 0,
    audit: (await t.audit()).filter((r) => r.action !== 'account.code_failed').length,
  };
}

describe('POST /clicompletesignup', () => {
  runAuthzMatrix({
    path: COMPLETE_SIGNUP,
    auth: 'none',
    target: 'none',
    scope: null,
    audited: true,
    auditRows: 3,
    mutates: true,
    app: { signup: OPEN_SIGNUP },
    body: async (_target, t) => ({ email: 'newcomer@example.com', code: await requestCode(t, 'signup', 'newcomer@example.com') }),
  });

  it('creates the user, an organization they own and a key with every scope; the key works at once', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    const code = await requestCode(t, 'signup', 'ada@example.com');
    const res = await t.call(COMPLETE_SIGNUP, {
      email: 'Ada@Example.com',
      code,
      company: { name: 'Ada Labs', description: 'Engines' },
      apiKey: { name: 'Laptop', expiresInDays: 90 },
    });
    expect(res.status).toBe(200);
    const data = res.body.data;
    expect(data).toEqual({
      organizationId: expect.any(String),
      organizationName: 'Ada Labs',
      isNewUser: true,
      apiKey: {
        raw: expect.stringMatching(/^cko_[0-9A-Za-z]{28}$/),
        keyId: expect.any(String),
        keyPrefix: data.apiKey.raw.slice(0, 8),
        name: 'Laptop',
        scopes: [...SCOPES].sort(),
        createdAt: '2026-03-31T14:00:00.000Z',
        expiresAt: '2026-06-29T14:00:00.000Z',
      },
    });
    const verify = await t.call(VERIFY, {}, { key: data.apiKey.raw });
    expect(verify.body.data).toMatchObject({
      organizationId: data.organizationId,
      organizationName: 'Ada Labs',
      keyId: data.apiKey.keyId,
    });
    const user = await t.store.getUserByEmail('ada@example.com');
    expect(await t.store.listUserOrganizations(user?.id as string)).toEqual([
      { id: data.organizationId, name: 'Ada Labs', role: 'owner' },
    ]);
    const rows = (await t.audit()).filter((r) => r.organizationId === data.organizationId);
    expect(rows.map((r) => r.action).sort()).toEqual(['account.signup', 'key.create', 'organization.create']);
    for (const r of rows)
      expect(r).toMatchObject({ requestId: res.body.requestId, sourceIp: '127.0.0.1', actorUserId: user?.id });
    expect(t.logs.text()).not.toContain(data.apiKey.raw);
    expect(t.logs.text()).not.toContain(code);
    await t.close();
  });

  it('defaults: "My Organization", "CLI default key", no expiry', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    const code = await requestCode(t, 'signup', 'ada@example.com');
    const res = await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code });
    expect(res.body.data).toMatchObject({ organizationName: 'My Organization', apiKey: { name: 'CLI default key' } });
    expect(res.body.data.apiKey).not.toHaveProperty('expiresAt');
    await t.close();
  });

  it('a wrong, used or expired code: 401 INVALID_CODE with a next step; nothing created; five wrong tries burn it', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    const code = await requestCode(t, 'signup', 'ada@example.com');
    const wrong = await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code: wrongCode(code) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toEqual({
      code: 'INVALID_CODE',
      message: 'The code is wrong, used or expired',
      nextAction: 'Check the code in the latest e-mail, or request a new one: codika auth signup-request --email ada@example.com',
    });
    expect(await counts(t, 'ada@example.com')).toMatchObject({ user: false, organizations: 0 });
    for (let i = 1; i < 5; i++) await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code: wrongCode(code, i) });
    expect((await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code })).status).toBe(401);
    const failed = (await t.audit()).filter((r) => r.action === 'account.code_failed');
    expect(failed).toHaveLength(6);
    expect(failed[0]).toMatchObject({
      organizationId: null,
      targetUserId: null,
      after: { email: 'ada@example.com', purpose: 'signup' },
    });

    const again = await requestCode(t, 'signup', 'ada@example.com');
    expect((await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code: again })).status).toBe(200);
    expect((await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code: again })).status).toBe(401);

    const late = await requestCode(t, 'signup', 'bob@example.com');
    t.clock.advance(600_000);
    expect((await t.call(COMPLETE_SIGNUP, { email: 'bob@example.com', code: late })).body.error.code).toBe('INVALID_CODE');
    await t.close();
  });

  it('bad input: 400 before the code is tried (the code stays usable), nothing created', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    const code = await requestCode(t, 'signup', 'ada@example.com');
    const bodies: Record<string, unknown>[] = [
      { email: 'ada@example.com', code, company: { name: 'Acme\r\nBcc: evil@attacker.test' } },
      { email: 'ada@example.com', code, company: { name: 'Acme\u0007' } },
      { email: 'ada@example.com', code, company: { name: 'x'.repeat(101) } },
      { email: 'ada@example.com', code, company: { name: '   ' } },
      { email: 'ada@example.com', code, company: { description: 'x'.repeat(501) } },
      { email: 'ada@example.com', code, company: { name: 'Acme', logo: 'x' } },
      { email: 'ada@example.com', code, apiKey: { expiresInDays: 0 } },
      { email: 'ada@example.com', code, apiKey: { expiresInDays: 366 } },
      { email: 'ada@example.com', code, apiKey: { name: 'k'.repeat(101) } },
      { email: 'ada@example.com', code, apiKey: { scopes: ['api-keys:manage'] } },
      { email: 'ada@example.com\r\nBcc: evil@attacker.test', code },
      { email: 'ada@example.com', code: '12345' },
      { email: 'ada@example.com', code: '1234567' },
      { email: 'ada@example.com', code: 'abcdef' },
      { email: 'ada@example.com' },
      { email: 'ada@example.com', code, isNewUser: false },
    ];
    for (const body of bodies) {
      const res = await t.call(COMPLETE_SIGNUP, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(await counts(t, 'ada@example.com')).toEqual({ user: false, organizations: 0, audit: (await t.audit()).length });
    expect(
      (await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code, company: { name: ' Acme ' } })).body.data.organizationName,
    ).toBe('Acme');
    await t.close();
  });

  it('a closed server refuses with 403 SIGNUP_DISABLED before trying the code', async () => {
    const t = await createTestApp();
    const res = await t.call(COMPLETE_SIGNUP, { email: 'ada@example.com', code: '123456' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('SIGNUP_DISABLED');
    expect(res.body.error.nextAction).toContain('Ask an admin of your organization to add you');
    expect((await t.audit()).filter((r) => r.action === 'account.code_failed')).toEqual([]);
    await t.close();
  });

  it('wrong codes count as failed authentications: the source is throttled (429) after its budget', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP, authFailureBudget: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      expect((await t.call(COMPLETE_SIGNUP, { email: `x${i}@example.com`, code: '000000' })).status).toBe(401);
    }
    const limited = await t.call(COMPLETE_SIGNUP, { email: 'y@example.com', code: '000000' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    await t.close();
  });
});
