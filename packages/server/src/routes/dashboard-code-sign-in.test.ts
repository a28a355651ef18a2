import { describe, expect, it } from 'vitest';
import { COMPLETE_LOGIN, REQUEST_LOGIN, requestCode, wrongCode } from '../test-support/accounts.js';
import { type CallResult, createTestApp, type TestApp, withoutRequestId } from '../test-support/http.js';
import { CSRF, withSession } from '../test-support/sessions.js';
import { codeIn } from '../test-support/smtp.js';

const REQUEST = '/dashboard/api/code/request';
const COMPLETE = '/dashboard/api/code/complete';
const CURRENT = '/dashboard/api/session/current';
const CHOOSE = '/dashboard/api/session/organization';

function sessionIdOf(res: CallResult): string | undefined {
  const value = res.headers['set-cookie'];
  return /^codika_session=([A-Za-z0-9_-]{43});/.exec(String(Array.isArray(value) ? value[0] : (value ?? '')))?.[1];
}

/** Ask the dashboard for a code and read it from the app's outbox. */
async function dashboardCode(t: TestApp, email: string): Promise<string> {
  const before = t.outbox.messages.length;
  const res = await t.call(REQUEST, { email }, { headers: CSRF });
  expect(res.status, res.text).toBe(200);
  const code = codeIn(t.outbox.messages.slice(before).find((m) => m.to === email)?.text ?? '');
  if (code === undefined) throw new Error(`no code mailed to ${email}`);
  return code;
}

describe('POST /dashboard/api/code/request', () => {
  it('mails the sign-in code and answers like /clirequestloginotp, for known and unknown addresses alike', async () => {
    const t = await createTestApp();
    const known = await t.call(REQUEST, { email: 'member@acme.test' }, { headers: CSRF });
    const unknown = await t.call(REQUEST, { email: 'nobody@acme.test' }, { headers: CSRF });
    const cli = await t.call(REQUEST_LOGIN, { email: 'member@acme.test' });
    expect(known.body.data).toEqual({ email: 'member@acme.test', expiresInSeconds: 600 });
    expect(withoutRequestId(unknown.text).replace('nobody', 'member')).toBe(withoutRequestId(known.text));
    expect(withoutRequestId(cli.text)).toBe(withoutRequestId(known.text));
    const { 'x-request-id': _a, date: _c, ...knownHeaders } = known.headers;
    const { 'x-request-id': _b, date: _d, ...unknownHeaders } = unknown.headers;
    expect(unknownHeaders).toEqual(knownHeaders);
    expect(codeIn(t.outbox.last('member@acme.test')?.text ?? '')).toMatch(/^\d{6}$/);
    expect(codeIn(t.outbox.last('nobody@acme.test')?.text ?? '')).toBeUndefined();
    await t.close();
  });

  it('needs the CSRF header and a valid address; header injection mails nothing', async () => {
    const t = await createTestApp();
    const noCsrf = await t.call(REQUEST, { email: 'member@acme.test' });
    expect([noCsrf.status, noCsrf.body.error.code]).toEqual([403, 'CSRF_REJECTED']);
    const foreign = await t.call(REQUEST, { email: 'member@acme.test' }, { headers: { ...CSRF, origin: 'https://evil.test' } });
    expect(foreign.status).toBe(403);
    for (const email of ['nope', 'member@acme.test\r\nBcc: evil@attacker.test', `${'a'.repeat(250)}@acme.test`]) {
      const res = await t.call(REQUEST, { email }, { headers: CSRF });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
    expect(t.outbox.messages).toEqual([]);
    await t.close();
  });

  it('shares the per-address throttle with the CLI (5 an hour)', async () => {
    const t = await createTestApp();
    for (let i = 0; i < 3; i++) expect((await t.call(REQUEST_LOGIN, { email: 'member@acme.test' })).status).toBe(200);
    for (let i = 0; i < 2; i++)
      expect((await t.call(REQUEST, { email: 'member@acme.test' }, { headers: CSRF })).status).toBe(200);
    const sixth = await t.call(REQUEST, { email: 'member@acme.test' }, { headers: CSRF });
    expect([sixth.status, sixth.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    await t.close();
  });
});

describe('POST /dashboard/api/code/complete', () => {
  it("opens a person's session in their only organization, with the rights of their role", async () => {
    const t = await createTestApp();
    const code = await dashboardCode(t, 'member@acme.test');
    const res = await t.call(COMPLETE, { email: 'Member@Acme.test', code }, { headers: CSRF });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toEqual({
      signedIn: true,
      type: 'user',
      userId: t.users.member.id,
      email: 'member@acme.test',
      role: 'member',
      organizationId: t.orgA.id,
      organizationName: 'Acme Corp',
      scopes: expect.not.arrayContaining(['api-keys:manage']),
    });
    const id = sessionIdOf(res);
    expect(id).toBeDefined();
    expect(String(res.headers['set-cookie'])).toMatch(/; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const session = withSession(id as string);
    expect((await t.call(CURRENT, {}, session)).body.data).toEqual(res.body.data);
    const mine = await t.call('/dashboard/api/my-keys', {}, session);
    expect(mine.body.data.keys.map((k: { keyId: string }) => k.keyId)).toEqual([t.keys.member.id]);
    expect((await t.call('/listorganizationapikeyspublic', {}, session)).body.error.code).toBe('INSUFFICIENT_SCOPE');
    // The sign-in is an audit row naming the person; no key was minted.
    const rows = (await t.audit()).filter((r) => r.requestId === res.body.requestId);
    expect(rows).toMatchObject([
      { action: 'account.login', result: 'allowed', actorKeyId: null, targetUserId: t.users.member.id },
    ]);
    expect((await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.owner.raw })).body.data.keys).toHaveLength(5);
    await t.close();
  });

  it('an owner signed in by code manages keys; sign-out ends the session', async () => {
    const t = await createTestApp();
    const code = await dashboardCode(t, 'owner@acme.test');
    const res = await t.call(COMPLETE, { email: 'owner@acme.test', code }, { headers: CSRF });
    const session = withSession(sessionIdOf(res) as string);
    expect((await t.call('/listorganizationapikeyspublic', {}, session)).status).toBe(200);
    expect((await t.call('/dashboard/api/session/end', {}, session)).status).toBe(200);
    expect((await t.call('/listorganizationapikeyspublic', {}, session)).status).toBe(401);
    await t.close();
  });

  it('several organizations: the session waits for a choice, with the list', async () => {
    const t = await createTestApp();
    await t.store.setMembership({ organizationId: t.orgB.id, userId: t.users.admin.id, role: 'member' });
    const code = await dashboardCode(t, 'admin@acme.test');
    const res = await t.call(COMPLETE, { email: 'admin@acme.test', code }, { headers: CSRF });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      signedIn: false,
      chooseOrganization: {
        email: 'admin@acme.test',
        organizations: [
          { organizationId: t.orgA.id, organizationName: 'Acme Corp', role: 'admin' },
          { organizationId: t.orgB.id, organizationName: 'Other Org', role: 'member' },
        ],
      },
    });
    const session = withSession(sessionIdOf(res) as string);
    expect((await t.call(CURRENT, {}, session)).body.data).toEqual(res.body.data);
    expect((await t.call('/listorganizationapikeyspublic', {}, session)).status).toBe(401);
    const chosen = await t.call(CHOOSE, { organizationId: t.orgA.id }, session);
    expect(chosen.body.data).toMatchObject({ signedIn: true, role: 'admin', organizationId: t.orgA.id });
    expect((await t.call('/listorganizationapikeyspublic', {}, session)).status).toBe(200);
    await t.close();
  });

  it('the codes are the CLI codes: one asked by the CLI signs in here, and once used here it is gone for the CLI', async () => {
    const t = await createTestApp();
    const fromCli = await requestCode(t, 'login', 'admin@acme.test');
    const res = await t.call(COMPLETE, { email: 'admin@acme.test', code: fromCli }, { headers: CSRF });
    expect(res.status).toBe(200);
    const replay = await t.call(COMPLETE_LOGIN, { email: 'admin@acme.test', code: fromCli });
    expect([replay.status, replay.body.error.code]).toEqual([401, 'INVALID_CODE']);
    const fromDashboard = await dashboardCode(t, 'admin@acme.test');
    const cli = await t.call(COMPLETE_LOGIN, { email: 'admin@acme.test', code: fromDashboard });
    expect(cli.status).toBe(200);
    const again = await t.call(COMPLETE, { email: 'admin@acme.test', code: fromDashboard }, { headers: CSRF });
    expect([again.status, again.body.error.code]).toEqual([401, 'INVALID_CODE']);
    expect(again.headers['set-cookie']).toBeUndefined();
    await t.close();
  });

  it('wrong, burned, replayed, expired and unknown: one answer, 401 INVALID_CODE, and no session', async () => {
    const t = await createTestApp({ authFailureBudget: false });
    const answers: CallResult[] = [];
    // Five wrong tries burn the code: the right one no longer works.
    const code = await dashboardCode(t, 'member@acme.test');
    for (let i = 0; i < 5; i++)
      answers.push(await t.call(COMPLETE, { email: 'member@acme.test', code: wrongCode(code, i) }, { headers: CSRF }));
    answers.push(await t.call(COMPLETE, { email: 'member@acme.test', code }, { headers: CSRF }));
    // Expired after ten minutes.
    const late = await dashboardCode(t, 'member@acme.test');
    t.clock.advance(600_000);
    answers.push(await t.call(COMPLETE, { email: 'member@acme.test', code: late }, { headers: CSRF }));
    // An address without an account, and one whose code was never asked.
    answers.push(await t.call(COMPLETE, { email: 'ghost@acme.test', code: '123456' }, { headers: CSRF }));
    answers.push(await t.call(COMPLETE, { email: 'owner@acme.test', code: '123456' }, { headers: CSRF }));
    for (const res of answers) {
      expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_CODE']);
      expect(res.body.error.nextAction).toBe('Check the code in the latest e-mail, or ask for a new one');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(new Set(answers.map((r) => withoutRequestId(r.text))).size).toBe(1);
    await t.close();
  });

  it('wrong codes count against the per-source failed-authentication budget (20 a minute)', async () => {
    const t = await createTestApp();
    for (let i = 0; i < 20; i++) {
      const res = await t.call(COMPLETE, { email: `nobody${i}@acme.test`, code: '000000' }, { headers: CSRF });
      expect(res.status).toBe(401);
    }
    const next = await t.call(COMPLETE, { email: 'member@acme.test', code: '000000' }, { headers: CSRF });
    expect([next.status, next.body.error.code]).toEqual([429, 'RATE_LIMITED']);
    await t.close();
  });

  it('needs the CSRF header (against login CSRF): without it the code is neither tried nor spent', async () => {
    const t = await createTestApp();
    const code = await dashboardCode(t, 'member@acme.test');
    for (const headers of [{}, { ...CSRF, origin: 'https://evil.test' }, { ...CSRF, 'sec-fetch-site': 'cross-site' }]) {
      const res = await t.call(COMPLETE, { email: 'member@acme.test', code }, { headers });
      expect([res.status, res.body.error.code]).toEqual([403, 'CSRF_REJECTED']);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect((await t.call(COMPLETE, { email: 'member@acme.test', code }, { headers: CSRF })).status).toBe(200);
    await t.close();
  });

  it('a person in no organization: 403 NO_ORGANIZATION and no session', async () => {
    const t = await createTestApp();
    await t.store.removeMembership(t.orgA.id, t.users.member.id);
    const code = await dashboardCode(t, 'member@acme.test');
    const res = await t.call(COMPLETE, { email: 'member@acme.test', code }, { headers: CSRF });
    expect([res.status, res.body.error.code]).toEqual([403, 'NO_ORGANIZATION']);
    expect(res.headers['set-cookie']).toBeUndefined();
    await t.close();
  });

  it('validates the body', async () => {
    const t = await createTestApp();
    for (const body of [
      { email: 'member@acme.test' },
      { email: 'member@acme.test', code: '12345' },
      { email: 'x', code: '123456' },
    ]) {
      const res = await t.call(COMPLETE, body, { headers: CSRF });
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    }
    await t.close();
  });
});
