import { generateKey } from '@codika/contract/keys';
import { describe, expect, it } from 'vitest';
import { fail, harness, ok, oneJson } from '../../test-support/harness.js';

const KEY = generateKey('cko_');
const sent = { email: 'ada@example.com', expiresInSeconds: 600 };
const signedIn = (organizationId: string, organizationName: string) => ({
  organizationId,
  organizationName,
  apiKey: {
    raw: KEY,
    keyId: 'key_4',
    keyPrefix: KEY.slice(0, 8),
    name: 'CLI default key',
    scopes: ['api-keys:manage'],
    createdAt: '2026-03-31T14:00:00.000Z',
  },
});
const multiple = {
  success: false,
  error: {
    code: 'MULTIPLE_ORGANIZATIONS',
    message: 'This user belongs to several organizations; choose one',
    nextAction: 'Re-run with --organization-id <id>',
    details: {
      organizations: [
        { id: 'org_1', name: 'Acme Corp' },
        { id: 'org_2', name: 'Beta Labs' },
      ],
    },
  },
  requestId: 'req-m',
};
const tty = { stdin: true, stdout: true, stderr: true };
const codeBody = (organizationId?: string) => ({
  email: 'ada@example.com',
  code: '123456',
  ...(organizationId ? { organizationId } : {}),
});

describe('auth login', () => {
  it('on a terminal: sends a code, asks for it hidden, signs in and saves the profile', async () => {
    const h = harness({
      tty,
      env: { NO_COLOR: '1' },
      answers: [' 123456 '],
      expected: [
        {
          url: 'http://127.0.0.1:8787/clirequestloginotp',
          check: (r) => expect(r.body).toEqual({ email: 'ada@example.com' }),
          response: ok(sent),
        },
        {
          url: 'http://127.0.0.1:8787/clicompletelogin',
          check: (r) => expect(r.body).toEqual(codeBody()),
          response: ok(signedIn('org_1', 'Acme Corp')),
        },
      ],
    });
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com'])).toBe(0);
    expect(h.prompts).toEqual(['6-digit code from the e-mail (input hidden)']);
    expect(h.stderr.text).toContain('Code sent to ada@example.com; it expires in 600 s (~10 minutes).');
    expect(h.stdout.text).toContain('✓ Login complete');
    expect(h.config.data?.activeProfile).toBe('acme-corp');
    expect(h.config.data?.profiles['acme-corp']?.apiKey).toBe(KEY);
    expect(h.stdout.text + h.stderr.text).not.toContain(KEY);
  });

  it('asks again when the answer is not 6 digits, and gives up after three tries (exit 2)', async () => {
    const h = harness({
      tty,
      answers: ['12', '123456'],
      expected: [
        { url: '/clirequestloginotp', response: ok(sent) },
        {
          url: '/clicompletelogin',
          check: (r) => expect(r.body).toEqual(codeBody()),
          response: ok(signedIn('org_1', 'Acme Corp')),
        },
      ],
    });
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com'])).toBe(0);
    expect(h.prompts).toHaveLength(2);
    expect(h.stderr.text).toContain('That is not the code: it must be the 6-digit code from the e-mail. Try again.');
    const g = harness({
      tty,
      answers: ['1', 'abcdef', '1234567'],
      expected: [{ url: '/clirequestloginotp', response: ok(sent) }],
    });
    expect(await g.run(['auth', 'login', '--email', 'ada@example.com'])).toBe(2);
    expect(g.config.writes).toBe(0);
  });

  it('cancelling the code prompt: exit 1 (CANCELLED), nothing saved', async () => {
    const h = harness({ tty, answers: [undefined], expected: [{ url: '/clirequestloginotp', response: ok(sent) }] });
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com', '--json'])).toBe(1);
    expect(oneJson(h.stdout.text)).toMatchObject({ success: false, error: { code: 'CANCELLED' } });
    expect(h.config.writes).toBe(0);
  });

  it('without a terminal and without --code: exit 2 before any request, naming --code and login-complete', async () => {
    const h = harness();
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com'])).toBe(2);
    expect(h.stderr.text).toContain('Pass --code <code>');
    expect(h.stderr.text).toContain('codika auth login-complete --email ada@example.com --code <code>');
    const j = harness();
    expect(await j.run(['auth', 'login', '--email', 'ada@example.com', '--json'])).toBe(2);
    expect(oneJson(j.stdout.text)).toMatchObject({ success: false, error: { code: 'VALIDATION_ERROR' } });
  });

  it('--code: no new code is sent, no prompt, also off a terminal', async () => {
    const h = harness({
      expected: [
        {
          url: 'http://h:1/clicompletelogin',
          check: (r) => expect(r.body).toEqual(codeBody('org_2')),
          response: ok(signedIn('org_2', 'Beta Labs')),
        },
      ],
    });
    const argv = [
      'auth',
      'login',
      '--email',
      'ada@example.com',
      '--code',
      '123456',
      '--organization-id',
      'org_2',
      '--base-url',
      'http://h:1',
    ];
    expect(await h.run([...argv, '--name', 'beta'])).toBe(0);
    expect(h.config.data?.activeProfile).toBe('beta');
    expect(h.config.data?.profiles.beta?.baseUrl).toBe('http://h:1');
  });

  it('several organizations on a terminal: offers them, completes with the chosen one and the same code', async () => {
    const h = harness({
      tty,
      answers: ['123456', 'org_2'],
      expected: [
        { url: '/clirequestloginotp', response: ok(sent) },
        { url: '/clicompletelogin', check: (r) => expect(r.body).toEqual(codeBody()), status: 409, response: multiple },
        {
          url: '/clicompletelogin',
          check: (r) => expect(r.body).toEqual(codeBody('org_2')),
          response: ok(signedIn('org_2', 'Beta Labs')),
        },
      ],
    });
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com'])).toBe(0);
    expect(h.offered).toEqual([['org_1', 'org_2']]);
    expect(h.prompts[1]).toBe('Your account belongs to several organizations. Create the key in:');
    expect(h.config.data?.activeProfile).toBe('beta-labs');
  });

  it('choosing no organization: exit 1 (CANCELLED), nothing saved', async () => {
    const h = harness({
      tty,
      answers: ['123456', undefined],
      expected: [
        { url: '/clirequestloginotp', response: ok(sent) },
        { url: '/clicompletelogin', status: 409, response: multiple },
      ],
    });
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com'])).toBe(1);
    expect(h.stderr.text).toContain('Cancelled: no organization chosen');
    expect(h.config.writes).toBe(0);
  });

  it('several organizations off a terminal: exit 1 with the list and the nextAction', async () => {
    const h = harness({ expected: [{ url: '/clicompletelogin', status: 409, response: multiple }] });
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com', '--code', '123456'])).toBe(1);
    expect(h.stderr.text).toContain('Next: Re-run with --organization-id <id>\nAvailable organizations:\n  org_1  Acme Corp\n');
  });

  it('a wrong code: exit 1 (INVALID_CODE), nothing saved', async () => {
    const h = harness({
      tty,
      answers: ['123456'],
      expected: [
        { url: '/clirequestloginotp', response: ok(sent) },
        { url: '/clicompletelogin', status: 401, response: fail('INVALID_CODE', 'The code is wrong, used or expired') },
      ],
    });
    expect(await h.run(['auth', 'login', '--email', 'ada@example.com'])).toBe(1);
    expect(h.config.writes).toBe(0);
  });
});
