import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailDeliveryError, type Mailer, type MailMessage } from '../accounts/mailer.js';
import { OPEN_SIGNUP } from '../accounts/policy.js';
import { smtpMailer } from '../accounts/smtp-mailer.js';
import { COMPLETE_LOGIN, mailsWithCode, REQUEST_LOGIN, requestCode } from '../test-support/accounts.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, withoutRequestId } from '../test-support/http.js';
import { codeIn, deadPort, startSmtpServer, type TestSmtpServer } from '../test-support/smtp.js';

/** Addresses an e-mail schema must refuse; none may cause a mail or a stored code. */
const BAD_EMAILS = [
  '',
  'not-an-address',
  'ada@',
  '@example.com',
  'ada example@example.com',
  'ada@example.com\r\nBcc: evil@attacker.test',
  'ada@example.com\nBcc: evil@attacker.test',
  'ada@example.com\r\n\r\nbody',
  'ada@example.com, evil@attacker.test',
  'Ada <ada@example.com>',
  `${'a'.repeat(250)}@example.com`,
  'ada@exa\u0000mple.com',
];

/** A mailer that records what it was asked to send, then delegates (or fails). */
function recording(inner: Mailer): Mailer & { asked: MailMessage[] } {
  const asked: MailMessage[] = [];
  return {
    description: inner.description,
    asked,
    async send(message) {
      asked.push(message);
      await inner.send(message);
    },
  };
}

describe('POST /clirequestloginotp', () => {
  runAuthzMatrix({
    path: REQUEST_LOGIN,
    auth: 'none',
    target: 'none',
    scope: null,
    audited: false,
    mutates: false,
    body: () => ({ email: 'owner@acme.test' }),
  });

  it('mails a sign-in code to a known address and answers {email, expiresInSeconds: 600}', async () => {
    const t = await createTestApp();
    const res = await t.call(REQUEST_LOGIN, { email: ' Owner@Acme.test ' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { email: 'owner@acme.test', expiresInSeconds: 600 },
      requestId: res.body.requestId,
    });
    const mail = t.outbox.last('owner@acme.test');
    expect(mail?.subject).toBe('Your codika sign-in code');
    const code = codeIn(mail?.text ?? '');
    expect(code).toMatch(/^\d{6}$/);
    expect(mail?.text).toContain(`codika auth login-complete --email owner@acme.test --code ${code}`);
    expect(mail?.gist).toBe(`sign-in code ${code} (valid 10 minutes)`);
    await t.close();
  });

  it('answers an unknown address exactly like a known one; its mail says to sign up and carries no code', async () => {
    for (const signup of [undefined, OPEN_SIGNUP]) {
      const t = await createTestApp(signup === undefined ? {} : { signup });
      const known = await t.call(REQUEST_LOGIN, { email: 'owner@acme.test' });
      const unknown = await t.call(REQUEST_LOGIN, { email: 'ghost@acme.test' });
      expect(unknown.status).toBe(known.status);
      expect(withoutRequestId(unknown.text).replace('ghost', 'owner')).toBe(withoutRequestId(known.text));
      const { 'x-request-id': _a, date: _c, ...knownHeaders } = known.headers;
      const { 'x-request-id': _b, date: _d, ...unknownHeaders } = unknown.headers;
      expect(unknownHeaders).toEqual(knownHeaders);
      const mail = t.outbox.last('ghost@acme.test');
      expect(mail?.text).toContain('there is no account for it');
      expect(mail?.text).toContain(
        signup ? 'codika auth signup-request --email ghost@acme.test' : 'ask an admin of your organization',
      );
      expect(mailsWithCode(t.outbox.messages.filter((m) => m.to === 'ghost@acme.test'))).toEqual([]);
      await t.close();
    }
  });

  it('a new request replaces the previous code', async () => {
    const t = await createTestApp();
    const first = await requestCode(t, 'login', 'owner@acme.test');
    const second = await requestCode(t, 'login', 'owner@acme.test');
    if (first !== second) {
      const stale = await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code: first });
      expect(stale.body.error.code).toBe('INVALID_CODE');
    }
    expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code: second })).status).toBe(200);
    await t.close();
  });

  it('refuses malformed addresses, header injection and over-long ones with 400, mailing nothing', async () => {
    const t = await createTestApp();
    for (const email of BAD_EMAILS) {
      const res = await t.call(REQUEST_LOGIN, { email });
      expect(res.status, JSON.stringify(email)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details).toHaveProperty('email');
    }
    for (const body of [{}, { email: 42 }, { email: 'owner@acme.test', extra: 1 }, { email: ['owner@acme.test'] }]) {
      expect((await t.call(REQUEST_LOGIN, body)).status).toBe(400);
    }
    expect(t.outbox.messages).toEqual([]);
    await t.close();
  });

  it('throttles per address and per source: 429 RATE_LIMITED with Retry-After and a next step, no mail', async () => {
    const t = await createTestApp({
      codeRequestBudget: { perAddress: { max: 2, windowMs: 60_000 }, perSource: { max: 3, windowMs: 60_000 } },
    });
    for (let i = 0; i < 2; i++) expect((await t.call(REQUEST_LOGIN, { email: 'owner@acme.test' })).status).toBe(200);
    const limited = await t.call(REQUEST_LOGIN, { email: 'Owner@acme.test' });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 60 } });
    expect(limited.body.error.nextAction).toBe('Wait 60 seconds, then request a new code');
    expect(limited.headers['retry-after']).toBe('60');
    // The source (inject's 127.0.0.1) has one request left, for another address; then it is spent too.
    expect((await t.call(REQUEST_LOGIN, { email: 'admin@acme.test' })).status).toBe(200);
    expect((await t.call(REQUEST_LOGIN, { email: 'member@acme.test' })).status).toBe(429);
    expect(t.outbox.messages).toHaveLength(3);
    // Both windows pass.
    t.clock.advance(60_001);
    expect((await t.call(REQUEST_LOGIN, { email: 'owner@acme.test' })).status).toBe(200);
    await t.close();
  });

  it('a mail the mailer refuses: 503 MAIL_UNAVAILABLE with its message and a next step, and the code is not usable', async () => {
    const failing = recording({
      description: 'failing',
      send: async () => {
        throw new MailDeliveryError('boom');
      },
    });
    const t = await createTestApp({ mailer: failing });
    const res = await t.call(REQUEST_LOGIN, { email: 'owner@acme.test' });
    expect(res.status).toBe(503);
    expect(res.body.error).toEqual({
      code: 'MAIL_UNAVAILABLE',
      message: 'The e-mail with the code could not be sent; try again later',
      nextAction: expect.stringContaining("tell the server's operator"),
    });
    const code = codeIn(failing.asked[0]?.text ?? '');
    expect(code).toBeDefined();
    expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code })).body.error.code).toBe('INVALID_CODE');
    expect(t.logs.text()).toContain('boom');
    expect(t.logs.text()).not.toContain(code);
    await t.close();
  });

  it('without a mailer (buildApp default) every request is 503, never a silent success', async () => {
    const { buildApp } = await import('../app.js');
    const { routeStoreFactory } = await import('../test-support/stores.js');
    const store = await routeStoreFactory.create();
    const app = await buildApp({ store, logger: false });
    const res = await app.inject({ method: 'POST', url: REQUEST_LOGIN, payload: { email: 'nobody@acme.test' } });
    expect(res.statusCode).toBe(503);
    await app.close();
    await store.close();
  });

  it('answers other methods with 405', async () => {
    const t = await createTestApp();
    expect((await t.call(REQUEST_LOGIN, undefined, { method: 'GET' })).status).toBe(405);
    await t.close();
  });

  describe('through a real SMTP server', () => {
    let smtp: TestSmtpServer;
    beforeAll(async () => {
      smtp = await startSmtpServer();
    });
    afterAll(async () => {
      await smtp.close();
    });

    it('delivers the code; the received mail carries it and only the one recipient', async () => {
      const t = await createTestApp({ mailer: smtpMailer({ url: smtp.url, from: 'codika <no-reply@acme.test>' }) });
      expect((await t.call(REQUEST_LOGIN, { email: 'owner@acme.test' })).status).toBe(200);
      const mail = await smtp.waitFor('owner@acme.test');
      expect(mail.to).toEqual(['owner@acme.test']);
      expect(mail.from).toBe('no-reply@acme.test');
      expect(mail.subject).toBe('Your codika sign-in code');
      const code = codeIn(mail.text) as string;
      expect((await t.call(COMPLETE_LOGIN, { email: 'owner@acme.test', code })).status).toBe(200);
      await t.close();
    });

    it('a recipient the server refuses: 503, and the code it was given is not usable', async () => {
      smtp.refuse.add('admin@acme.test');
      const mailer = recording(smtpMailer({ url: smtp.url, from: 'codika <no-reply@acme.test>' }));
      const t = await createTestApp({ mailer });
      const res = await t.call(REQUEST_LOGIN, { email: 'admin@acme.test' });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('MAIL_UNAVAILABLE');
      const code = codeIn(mailer.asked[0]?.text ?? '') as string;
      expect((await t.call(COMPLETE_LOGIN, { email: 'admin@acme.test', code })).body.error.code).toBe('INVALID_CODE');
      expect(smtp.last('admin@acme.test')).toBeUndefined();
      await t.close();
    });

    it('a dead SMTP server: 503 MAIL_UNAVAILABLE within seconds', async () => {
      const t = await createTestApp({
        mailer: smtpMailer({ url: `smtp://127.0.0.1:${await deadPort()}`, from: 'codika <a@b.test>' }),
      });
      const started = Date.now();
      const res = await t.call(REQUEST_LOGIN, { email: 'owner@acme.test' });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('MAIL_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(5000);
      await t.close();
    });
  });
});
