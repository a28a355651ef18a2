import { describe, expect, it } from 'vitest';
import { OPEN_SIGNUP } from '../accounts/policy.js';
import { newId } from '../ids.js';
import { COMPLETE_SIGNUP, mailsWithCode, REQUEST_SIGNUP, requestCode } from '../test-support/accounts.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, T0, withoutRequestId } from '../test-support/http.js';
import { codeIn } from '../test-support/smtp.js';

describe('POST /clirequestsignupotp', () => {
  runAuthzMatrix({
    path: REQUEST_SIGNUP,
    auth: 'none',
    target: 'none',
    scope: null,
    audited: false,
    mutates: false,
    app: { signup: OPEN_SIGNUP },
    body: () => ({ email: 'newcomer@example.com' }),
  });

  it('on a closed server (the default) answers 403 SIGNUP_DISABLED with a next step, and mails nothing', async () => {
    const t = await createTestApp();
    for (const email of ['newcomer@example.com', 'owner@acme.test']) {
      const res = await t.call(REQUEST_SIGNUP, { email });
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({
        code: 'SIGNUP_DISABLED',
        message: 'This server does not take sign-ups for this address',
        nextAction:
          'Ask an admin of your organization to add you, then sign in with: codika auth login-request --email <your address>',
      });
    }
    expect(t.outbox.messages).toEqual([]);
    await t.close();
  });

  it('mails a sign-up code to a new address; a known address gets the same answer and a mail to sign in, without a code', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    const fresh = await t.call(REQUEST_SIGNUP, { email: 'ghost@acme.test' });
    const known = await t.call(REQUEST_SIGNUP, { email: 'owner@acme.test' });
    expect(fresh.status).toBe(200);
    expect(fresh.body.data).toEqual({ email: 'ghost@acme.test', expiresInSeconds: 600 });
    expect(withoutRequestId(known.text)).toBe(withoutRequestId(fresh.text).replace('ghost', 'owner'));
    const code = codeIn(t.outbox.last('ghost@acme.test')?.text ?? '');
    expect(code).toMatch(/^\d{6}$/);
    expect(t.outbox.last('ghost@acme.test')?.subject).toBe('Your codika sign-up code');
    const signIn = t.outbox.last('owner@acme.test');
    expect(signIn?.text).toContain('you already have an account');
    expect(signIn?.text).toContain('codika auth login-request --email owner@acme.test');
    expect(mailsWithCode([signIn as never])).toEqual([]);
    await t.close();
  });

  it('an existing user who belongs to no organization gets a sign-up code (and becomes owner of a new one)', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    await t.store.ensureUser({ id: newId(), email: 'loner@acme.test', createdAt: T0 });
    const code = await requestCode(t, 'signup', 'loner@acme.test');
    const res = await t.call(COMPLETE_SIGNUP, { email: 'loner@acme.test', code });
    expect(res.status).toBe(200);
    expect(res.body.data.isNewUser).toBe(false);
    await t.close();
  });

  it('--signup-domains: addresses of a listed domain only (exact, case-insensitive; not subdomains)', async () => {
    const t = await createTestApp({ signup: { mode: 'open', domains: ['example.com'] } });
    expect((await t.call(REQUEST_SIGNUP, { email: 'ada@EXAMPLE.com' })).status).toBe(200);
    for (const email of ['ada@other.test', 'ada@sub.example.com', 'ada@example.com.evil.test']) {
      expect((await t.call(REQUEST_SIGNUP, { email })).body.error.code).toBe('SIGNUP_DISABLED');
    }
    await t.close();
  });

  it('refuses header injection and over-long addresses with 400', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    for (const email of [
      'ada@example.com\r\nBcc: evil@attacker.test',
      `${'a'.repeat(245)}@example.com`,
      'ada@example.com\r\nSubject: x',
    ]) {
      const res = await t.call(REQUEST_SIGNUP, { email });
      expect(res.status).toBe(400);
      expect(res.body.error.details.email).toBeDefined();
    }
    expect(t.outbox.messages).toEqual([]);
    await t.close();
  });
});
