import { describe, expect, it } from 'vitest';
import { harness, ok, oneJson } from '../../test-support/harness.js';

const sent = { email: 'ada@example.com', expiresInSeconds: 300 };

describe('auth login-request', () => {
  it('asks for a sign-in code, without a key, and names login-complete as the next step', async () => {
    const h = harness({
      expected: [
        {
          url: 'http://127.0.0.1:8787/clirequestloginotp',
          check: (r) => {
            expect(r.headers['x-process-manager-key']).toBeUndefined();
            expect(r.body).toEqual({ email: 'ada@example.com' });
          },
          response: ok(sent),
        },
      ],
    });
    expect(await h.run(['auth', 'login-request', '--email', 'ada@example.com'])).toBe(0);
    expect(h.stdout.text).toContain('  Expires: in 300 s (~5 minutes)\n');
    expect(h.stdout.text).toContain('  codika auth login-complete --email ada@example.com --code <6-digit-code>\n');
  });

  it('quotes an address the shell would split', async () => {
    const h = harness({
      expected: [{ url: '/clirequestloginotp', response: ok({ email: "o'neil+x@example.com", expiresInSeconds: 600 }) }],
    });
    expect(await h.run(['auth', 'login-request', '--email', "o'neil+x@example.com"])).toBe(0);
    expect(h.stdout.text).toContain(`--email 'o'\\''neil+x@example.com' --code`);
  });

  it('--json prints the envelope; a missing --email is exit 2', async () => {
    const h = harness({ expected: [{ url: '/clirequestloginotp', response: ok(sent, 'req-2') }] });
    expect(await h.run(['auth', 'login-request', '--email', 'ada@example.com', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual({ success: true, data: sent, requestId: 'req-2' });
    expect(await harness().run(['auth', 'login-request'])).toBe(2);
  });
});
