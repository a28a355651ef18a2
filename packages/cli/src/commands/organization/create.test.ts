import { describe, expect, it } from 'vitest';
import { fail, harness, KEY, ok, oneJson, profileConfig } from '../../test-support/harness.js';

describe('organization create', () => {
  it('POSTs the name, description and size with the resolved key; prints the id and the request id', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: 'http://127.0.0.1:9999/createorganizationviaapikey',
          check: (r) => {
            expect(r.headers['x-process-manager-key']).toBe(KEY);
            expect(r.body).toEqual({ name: 'Acme Labs', description: 'Research', size: '2-10' });
          },
          response: ok({ organizationId: 'org_new' }, 'req-o'),
        },
      ],
    });
    expect(await h.run(['organization', 'create', '--name', 'Acme Labs', '--description', 'Research', '--size', '2-10'])).toBe(0);
    expect(h.stdout.text).toBe(
      [
        '✓ Organization created: Acme Labs',
        '  Organization ID: org_new',
        '  Request ID:      req-o',
        '',
        'You are its owner. To work in it, sign in to it:',
        '  codika auth login --email <your e-mail> --organization-id org_new',
        '',
      ].join('\n'),
    );
  });

  it('sends only the name when that is all; --json prints the envelope as received', async () => {
    const h = harness({
      expected: [
        {
          url: '/createorganizationviaapikey',
          check: (r) => expect(r.body).toEqual({ name: 'Solo' }),
          response: ok({ organizationId: 'org_s' }, 'req-s'),
        },
      ],
    });
    expect(await h.run(['organization', 'create', '--name', 'Solo', '--description', '', '--api-key', KEY, '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual({ success: true, data: { organizationId: 'org_s' }, requestId: 'req-s' });
  });

  it.each([
    [[], /Missing required option '--name <name>'/],
    [['--name', ' '], /--name must not be empty/],
    [['--name', 'x'.repeat(101)], /--name must be at most 100 characters/],
    [['--name', 'A', '--size', '3-5'], /--size must be one of solo, 2-10, 11-50, 51-200, 201-1000, 1000\+/],
    [['--name', 'A', '--logo', 'x.png'], /Unknown option '--logo'/],
  ])('%j → exit 2 before any request', async (argv, message) => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['organization', 'create', ...argv])).toBe(2);
    expect(h.stderr.text).toMatch(message);
  });

  it('an API error: exit 1, with the nextAction', async () => {
    const error = fail('SIGNUP_DISABLED', 'This server does not take new organizations');
    (error.error as Record<string, unknown>).nextAction = 'Ask the operator';
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/createorganizationviaapikey', status: 403, response: error }],
    });
    expect(await h.run(['organization', 'create', '--name', 'A'])).toBe(1);
    expect(h.stderr.text).toContain(
      'Error: This server does not take new organizations (SIGNUP_DISABLED)\nNext: Ask the operator\n',
    );
  });
});
