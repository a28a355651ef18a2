/**
 * Figure 8, accounts: e-mailed one-time codes under attack, in-process (app.inject) on SQLite.
 *   - code guessing: ≥ 10 000 wrong codes spread over 400 addresses (half sign-in, half
 *     sign-up codes), with the throttles raised out of the way so that what is measured is the
 *     burning of each code after 5 wrong tries, not the throttling;
 *   - enumeration: known and unknown addresses answer the same bytes (apart from requestId),
 *     the same headers, in about the same time;
 *   - replay of a used code, an expired code;
 *   - the throttles engaging at their documented numbers (per address, per source, wrong codes);
 *   - no code and no raw key in any log line (logging at trace).
 */
import { OPERATIONS } from '@codika/contract';
import { type Kysely, sql } from 'kysely';
import { describe, it } from 'vitest';
import { DEFAULT_CODE_REQUEST_BUDGET } from '../src/accounts/code-throttle.js';
import { OPEN_SIGNUP } from '../src/accounts/policy.js';
import { DEFAULT_AUTH_FAILURE_BUDGET } from '../src/http/auth-throttle.js';
import { newId } from '../src/ids.js';
import type { Store } from '../src/store/types.js';
import { wrongCode } from '../src/test-support/accounts.js';
import { createTestApp, rawKeysOf, T0, type TestApp, withoutRequestId } from '../src/test-support/http.js';
import { codeIn } from '../src/test-support/smtp.js';
import { figure } from './support/figures.js';

const SUITE = 'accounts';
const REQUEST_SIGNUP = OPERATIONS.requestSignupCode.path;
const COMPLETE_SIGNUP = OPERATIONS.completeSignup.path;
const REQUEST_LOGIN = OPERATIONS.requestLoginCode.path;
const COMPLETE_LOGIN = OPERATIONS.completeLogin.path;

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected loosely
  body: any;
  text: string;
  headers: Record<string, unknown>;
}

async function post(t: TestApp, path: string, body: unknown, ip = '127.0.0.1'): Promise<Answer> {
  const res = await t.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
    remoteAddress: ip,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  return { status: res.statusCode, body: parsed, text: res.body, headers: res.headers };
}

/** Request a code and read it from the app's outbox. */
async function codeFor(t: TestApp, purpose: 'signup' | 'login', email: string, ip?: string): Promise<string> {
  const res = await post(t, purpose === 'signup' ? REQUEST_SIGNUP : REQUEST_LOGIN, { email }, ip);
  if (res.status !== 200) throw new Error(`code request for ${email}: ${res.status} ${res.text}`);
  const code = codeIn(t.outbox.last(email)?.text ?? '');
  if (code === undefined) throw new Error(`no code mailed to ${email}`);
  return code;
}

function dbOf(store: Store): Kysely<unknown> {
  return (store as unknown as { db: Kysely<unknown> }).db;
}

async function pendingCodes(store: Store): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from login_codes`.execute(dbOf(store));
  return Number(rows[0]?.n);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

describe('figure 7: accounts', () => {
  it('code guessing: ≥ 10 000 wrong codes over 400 addresses sign nobody in; every code is burned after 5', async () => {
    const t = await createTestApp({
      signup: OPEN_SIGNUP,
      codeRequestBudget: false,
      authFailureBudget: false,
      maxKeysPerOrg: 1000,
    });
    try {
      const ADDRESSES = 400;
      const WRONG_EACH = 25;
      const targets: { email: string; purpose: 'signup' | 'login'; code: string }[] = [];
      for (let i = 0; i < ADDRESSES; i++) {
        const purpose = i % 2 === 0 ? 'login' : 'signup';
        const email = `guess${i}@acme.test`;
        if (purpose === 'login') {
          const user = await t.store.ensureUser({ id: newId(), email, createdAt: T0 });
          await t.store.setMembership({ organizationId: t.orgA.id, userId: user.id, role: 'member' });
        }
        targets.push({ email, purpose, code: await codeFor(t, purpose, email) });
      }
      const keysBefore = (await t.store.listLiveKeys(t.orgA.id, T0)).length;
      const auditBefore = (await t.audit()).filter((r) => r.action === 'account.code_failed').length;

      let wrong = 0;
      let signedIn = 0;
      let notInvalid = 0;
      for (let round = 0; round < WRONG_EACH; round++) {
        for (const [i, target] of targets.entries()) {
          const path = target.purpose === 'login' ? COMPLETE_LOGIN : COMPLETE_SIGNUP;
          const res = await post(
            t,
            path,
            { email: target.email, code: wrongCode(target.code, round) },
            `198.51.${i % 200}.${round}`,
          );
          wrong++;
          if (res.status === 200) signedIn++;
          else if (res.status !== 401 || res.body?.error?.code !== 'INVALID_CODE') notInvalid++;
        }
      }
      figure(SUITE, 'wrong codes tried (over 400 addresses, throttles raised)', wrong, { min: 10_000 });
      figure(SUITE, 'sign-ins or sign-ups from wrong codes', signedIn, { eq: 0 });
      figure(SUITE, 'wrong codes not answered 401 INVALID_CODE', notInvalid, { eq: 0 });
      figure(SUITE, 'codes left in the database after 25 wrong tries each (burned after 5)', await pendingCodes(t.store), {
        eq: 0,
      });

      let stillUsable = 0;
      for (const target of targets) {
        const res = await post(t, target.purpose === 'login' ? COMPLETE_LOGIN : COMPLETE_SIGNUP, {
          email: target.email,
          code: target.code,
        });
        if (res.status === 200) stillUsable++;
      }
      figure(SUITE, 'right codes accepted after 5 wrong tries (of 400)', stillUsable, { eq: 0 });
      const minted = (await t.store.listLiveKeys(t.orgA.id, T0)).length - keysBefore;
      figure(SUITE, 'keys minted during the guessing', minted, { eq: 0 });
      const failedRows = (await t.audit()).filter((r) => r.action === 'account.code_failed').length - auditBefore;
      figure(SUITE, 'wrong or burned codes without an account.code_failed audit row', wrong + ADDRESSES - failedRows, { eq: 0 });

      // Control: the right code on the fifth try does sign in.
      let control = 0;
      for (let i = 0; i < 20; i++) {
        const email = `guess${i * 2}@acme.test`;
        const code = await codeFor(t, 'login', email);
        for (let k = 0; k < 4; k++) await post(t, COMPLETE_LOGIN, { email, code: wrongCode(code, k) });
        if ((await post(t, COMPLETE_LOGIN, { email, code })).status === 200) control++;
      }
      figure(SUITE, 'right code on the fifth try signs in (of 20, control)', control, { eq: 20 });
    } finally {
      await t.close();
    }
  });

  it('enumeration: known and unknown addresses get identical answers in about the same time', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP, codeRequestBudget: false, authFailureBudget: false });
    try {
      // Same-length addresses, so bodies compare byte for byte once the address is swapped.
      const known = 'owner@acme.test';
      const unknown = 'ghost@acme.test';
      let differences = 0;
      const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
      for (const path of [REQUEST_LOGIN, REQUEST_SIGNUP]) {
        for (let i = 0; i < 200; i++) {
          const order = i % 2 === 0 ? ([known, unknown] as const) : ([unknown, known] as const);
          const answers: Record<string, Answer> = {};
          for (const email of order) {
            const started = process.hrtime.bigint();
            answers[email] = await post(t, path, { email });
            const ms = Number(process.hrtime.bigint() - started) / 1e6;
            if (i >= 20) times[email === known ? 'known' : 'unknown'].push(ms);
          }
          const a = answers[known] as Answer;
          const b = answers[unknown] as Answer;
          const { 'x-request-id': _a, date: _c, ...ha } = a.headers;
          const { 'x-request-id': _b, date: _d, ...hb } = b.headers;
          if (
            a.status !== b.status ||
            withoutRequestId(a.text) !== withoutRequestId(b.text).replace('ghost', 'owner') ||
            JSON.stringify(ha) !== JSON.stringify(hb)
          ) {
            differences++;
          }
        }
      }
      figure(SUITE, 'known vs unknown address: answers differing in status, headers or body (of 400 pairs)', differences, {
        eq: 0,
      });
      const ratio = Math.max(median(times.known), median(times.unknown)) / Math.min(median(times.known), median(times.unknown));
      figure(
        SUITE,
        'known vs unknown address: ratio of median answer times',
        Math.round(ratio * 100) / 100,
        { max: 1.5 },
        `medians ${median(times.known).toFixed(3)} ms (known) and ${median(times.unknown).toFixed(3)} ms (unknown)`,
      );
      const wrongCase = t.outbox.messages.filter(
        (m) =>
          (m.to === unknown && m.subject === 'Your codika sign-in code') ||
          (m.to === known && m.subject === 'Your codika sign-up code'),
      );
      figure(
        SUITE,
        'mails with a code where none applies (sign-in for the unknown address, sign-up for the known one)',
        wrongCase.length,
        {
          eq: 0,
        },
      );
    } finally {
      await t.close();
    }
  });

  it('replay of a used code, and an expired code, are refused', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP, codeRequestBudget: false, authFailureBudget: false });
    try {
      let replayed = 0;
      let firstUses = 0;
      for (let i = 0; i < 10; i++) {
        const email = `replay${i}@acme.test`;
        const code = await codeFor(t, 'signup', email);
        if ((await post(t, COMPLETE_SIGNUP, { email, code })).status === 200) firstUses++;
        if ((await post(t, COMPLETE_SIGNUP, { email, code })).status === 200) replayed++;
        const login = await codeFor(t, 'login', email);
        if ((await post(t, COMPLETE_LOGIN, { email, code: login })).status === 200) firstUses++;
        if ((await post(t, COMPLETE_LOGIN, { email, code: login })).status === 200) replayed++;
      }
      figure(SUITE, 'first uses of a code that signed in (of 20, control)', firstUses, { eq: 20 });
      figure(SUITE, 'used codes accepted again (of 20 replays)', replayed, { eq: 0 });

      let expiredAccepted = 0;
      let freshRefused = 0;
      for (let i = 0; i < 10; i++) {
        const email = `replay${i}@acme.test`;
        const late = await codeFor(t, 'login', email);
        t.clock.advance(600_000);
        if ((await post(t, COMPLETE_LOGIN, { email, code: late })).status === 200) expiredAccepted++;
        const justInTime = await codeFor(t, 'login', email);
        t.clock.advance(599_999);
        if ((await post(t, COMPLETE_LOGIN, { email, code: justInTime })).status !== 200) freshRefused++;
      }
      figure(SUITE, 'codes accepted 600 s after they were sent (of 10)', expiredAccepted, { eq: 0 });
      figure(SUITE, 'codes refused 599.999 s after they were sent (of 10, control)', freshRefused, { eq: 0 });
    } finally {
      await t.close();
    }
  });

  it('the throttles engage at their documented numbers', async () => {
    // Per address: 5 per hour, whatever the source.
    const perAddress = await createTestApp({ signup: OPEN_SIGNUP });
    try {
      let accepted = 0;
      let limited: Answer | undefined;
      for (let i = 0; i < 50 && !limited; i++) {
        const res = await post(perAddress, REQUEST_LOGIN, { email: 'owner@acme.test' }, `203.0.113.${i + 1}`);
        if (res.status === 429) limited = res;
        else accepted++;
      }
      figure(SUITE, 'code requests for one address (from distinct sources) until 429', accepted, {
        eq: DEFAULT_CODE_REQUEST_BUDGET.perAddress.max,
      });
      figure(
        SUITE,
        'throttled code request without RATE_LIMITED, Retry-After and a next step',
        limited?.body?.error?.code === 'RATE_LIMITED' &&
          Number(limited.headers['retry-after']) > 0 &&
          limited.body.error.nextAction
          ? 0
          : 1,
        { eq: 0 },
      );
    } finally {
      await perAddress.close();
    }

    // Per source: 50 per hour, whatever the addresses.
    const perSource = await createTestApp({ signup: OPEN_SIGNUP });
    try {
      let accepted = 0;
      for (let i = 0; i < 200; i++) {
        const res = await post(perSource, REQUEST_SIGNUP, { email: `spray${i}@acme.test` }, '203.0.113.99');
        if (res.status === 429) break;
        accepted++;
      }
      figure(SUITE, 'code requests from one source (distinct addresses) until 429', accepted, {
        eq: DEFAULT_CODE_REQUEST_BUDGET.perSource.max,
      });
      const other = await post(perSource, REQUEST_SIGNUP, { email: 'other@acme.test' }, '203.0.113.100');
      figure(SUITE, 'another source refused meanwhile (control)', other.status === 200 ? 0 : 1, { eq: 0 });
    } finally {
      await perSource.close();
    }

    // Wrong codes count as failed authentications: 20 per minute per source.
    const failures = await createTestApp({ signup: OPEN_SIGNUP });
    try {
      let wrong = 0;
      for (let i = 0; i < 100; i++) {
        const res = await post(failures, COMPLETE_LOGIN, { email: `x${i}@acme.test`, code: '000000' }, '203.0.113.7');
        if (res.status === 429) break;
        wrong++;
      }
      figure(SUITE, 'wrong codes from one source until 429 (the failed-authentication budget)', wrong, {
        eq: DEFAULT_AUTH_FAILURE_BUDGET.max,
      });
    } finally {
      await failures.close();
    }
  });

  it('no code and no raw key in any log line (logging at trace)', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP, logLevel: 'trace', codeRequestBudget: false, authFailureBudget: false });
    try {
      const secrets = new Set<string>(rawKeysOf(t));
      for (let i = 0; i < 10; i++) {
        const email = `log${i}@acme.test`;
        const code = await codeFor(t, 'signup', email);
        secrets.add(code);
        await post(t, COMPLETE_SIGNUP, { email, code: wrongCode(code) });
        const signup = await post(t, COMPLETE_SIGNUP, { email, code, company: { name: `Log ${i}` } });
        secrets.add(signup.body.data.apiKey.raw);
        const login = await codeFor(t, 'login', email);
        secrets.add(login);
        const signed = await post(t, COMPLETE_LOGIN, { email, code: login });
        secrets.add(signed.body.data.apiKey.raw);
      }
      t.outbox.fail = true;
      await post(t, REQUEST_LOGIN, { email: 'owner@acme.test' });
      const lines = t.logs.text().split('\n');
      const leaking = lines.filter((line) => [...secrets].some((s) => line.includes(s)));
      figure(SUITE, `log lines holding one of ${secrets.size} codes or raw keys`, leaking.length, { eq: 0 });
      figure(SUITE, 'log lines written (control: the log is not empty)', lines.length, { min: 40 });
    } finally {
      await t.close();
    }
  });
});
