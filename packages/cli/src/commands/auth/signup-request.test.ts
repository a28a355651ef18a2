import { describe, expect, it } from 'vitest';
import { fail, harness, ok, oneJson, profileConfig } from '../../test-support/harness.js';

const sent = { email: 'ada@example.com', expiresInSeconds: 600 };
const noKey = (r: { headers: Record<string, string> }) => expect(r.headers['x-process-manager-key']).toBeUndefined();

describe('auth signup-request', () => {
  it('asks the default server to e-mail a code, without a key, and says what to run next', async () => {
    const h = harness({
      expected: [
        {
          url: 'http://127.0.0.1:8787/clirequestsignupotp',
          check: (r) => {
            noKey(r);
            expect(r.body).toEqual({ email: 'ada@example.com' });
          },
          response: ok(sent),
        },
      ],
    });
    expect(await h.run(['auth', 'signup-request', '--email', ' ada@example.com '])).toBe(0);
    expect(h.stdout.text).toBe(
      [
        '✓ Code sent',
        '  Email:   ada@example.com',
        '  Expires: in 600 s (~10 minutes)',
        '',
        'Check your inbox for the 6-digit code, then run:',
        '  codika auth signup-complete --email ada@example.com --code <6-digit-code>',
        '',
      ].join('\n'),
    );
    expect(h.stderr.text).toBe('');
    expect(h.config.writes).toBe(0);
  });

  it('--base-url is used and repeated in the next command', async () => {
    const h = harness({ expected: [{ url: 'http://h:1/base/clirequestsignupotp', response: ok(sent) }] });
    expect(await h.run(['auth', 'signup-request', '--email', 'ada@example.com', '--base-url', 'http://h:1/base/'])).toBe(0);
    expect(h.stdout.text).toContain('--code <6-digit-code> --base-url http://h:1/base\n');
  });

  it('--api-url is the endpoint itself; the next command gets the base it implies', async () => {
    const h = harness({ expected: [{ url: 'http://h:2/p/clirequestsignupotp', response: ok(sent) }] });
    expect(
      await h.run(['auth', 'signup-request', '--email', 'ada@example.com', '--api-url', 'http://h:2/p/clirequestsignupotp']),
    ).toBe(0);
    expect(h.stdout.text).toContain('--base-url http://h:2/p\n');
  });

  it('without a flag: CODIKA_BASE_URL, then the active profile’s server', async () => {
    const e = harness({
      env: { CODIKA_BASE_URL: 'http://env:3' },
      config: profileConfig(),
      expected: [{ url: 'http://env:3/clirequestsignupotp', response: ok(sent) }],
    });
    expect(await e.run(['auth', 'signup-request', '--email', 'ada@example.com'])).toBe(0);
    const p = harness({
      config: profileConfig(),
      expected: [{ url: 'http://127.0.0.1:9999/clirequestsignupotp', response: ok(sent) }],
    });
    expect(await p.run(['auth', 'signup-request', '--email', 'ada@example.com'])).toBe(0);
    expect(p.stdout.text).not.toContain('--base-url');
  });

  it('--json prints the envelope as received', async () => {
    const h = harness({ expected: [{ url: '/clirequestsignupotp', response: ok(sent, 'req-1') }] });
    expect(await h.run(['auth', 'signup-request', '--email', 'ada@example.com', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual({ success: true, data: sent, requestId: 'req-1' });
  });

  it.each([
    [[], /Missing required option '--email <email>'/],
    [['--email', 'not-an-address'], /--email must be an e-mail address/],
    [['--email', 'a b@example.com'], /--email must be an e-mail address/],
    [['--email', `${'a'.repeat(250)}@example.com`], /at most 254/],
    [['--email', 'ada@example.com', '--base-url', 'ftp://h'], /--base-url must be an http/],
  ])('%j → exit 2 before any request', async (argv, message) => {
    const h = harness();
    expect(await h.run(['auth', 'signup-request', ...argv])).toBe(2);
    expect(h.stderr.text).toMatch(message);
    const j = harness();
    expect(await j.run(['auth', 'signup-request', ...argv, '--json'])).toBe(2);
    expect(oneJson(j.stdout.text)).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('an API error: exit 1, the message and the nextAction on stderr; --json adds the HTTP status as the public CLI does', async () => {
    const error = fail('RATE_LIMITED', 'Too many code requests');
    (error.error as Record<string, unknown>).nextAction = 'Wait a minute and try again';
    const h = harness({ expected: [{ url: '/clirequestsignupotp', status: 429, response: error }] });
    expect(await h.run(['auth', 'signup-request', '--email', 'ada@example.com'])).toBe(1);
    expect(h.stderr.text).toContain('Error: Too many code requests (RATE_LIMITED)\nNext: Wait a minute and try again\n');
    expect(h.stdout.text).toBe('');
    const j = harness({ expected: [{ url: '/clirequestsignupotp', status: 429, response: error }] });
    expect(await j.run(['auth', 'signup-request', '--email', 'ada@example.com', '--json'])).toBe(1);
    expect(oneJson(j.stdout.text)).toEqual({ success: false, status: 429, error: error.error, requestId: error.requestId });
  });

  it('an unreachable server: exit 1, naming the URL', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    });
    const h = harness({ expected: [{ url: '/clirequestsignupotp', reject: refused }] });
    expect(await h.run(['auth', 'signup-request', '--email', 'ada@example.com'])).toBe(1);
    expect(h.stderr.text).toContain('Cannot reach http://127.0.0.1:8787/clirequestsignupotp: connection refused.');
  });
});
