import { generateKey } from '@codika/contract/keys';
import { describe, expect, it } from 'vitest';
import { harness, ok, oneJson } from '../../test-support/harness.js';

const KEY = generateKey('cko_');
const signedIn = {
  organizationId: 'org_2',
  organizationName: 'Beta Labs',
  apiKey: {
    raw: KEY,
    keyId: 'key_3',
    keyPrefix: KEY.slice(0, 8),
    name: 'CLI default key',
    scopes: ['projects:read'],
    createdAt: '2026-03-31T14:00:00.000Z',
  },
};
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
const ARGV = ['auth', 'login-complete', '--email', 'ada@example.com', '--code', ' 654321 '];

describe('auth login-complete', () => {
  it('sends the code, the organization and the key options; saves the fresh key as the active profile', async () => {
    const h = harness({
      expected: [
        {
          url: 'http://127.0.0.1:8787/clicompletelogin',
          check: (r) => {
            expect(r.headers['x-process-manager-key']).toBeUndefined();
            expect(r.body).toEqual({
              email: 'ada@example.com',
              code: '654321',
              organizationId: 'org_2',
              apiKey: { name: 'ci', expiresInDays: 7 },
            });
          },
          response: ok({ ...signedIn, apiKey: { ...signedIn.apiKey, name: 'ci' } }),
        },
      ],
    });
    expect(await h.run([...ARGV, '--organization-id', 'org_2', '--key-name', 'ci', '--key-expires-in', '7'])).toBe(0);
    expect(h.stdout.text).toMatch(/^✓ Login complete\n {2}Profile: {6}beta-labs \(active\)/);
    expect(h.stdout.text).not.toContain('You can now run');
    expect(h.config.data?.activeProfile).toBe('beta-labs');
    expect(h.config.data?.profiles['beta-labs']).toMatchObject({ apiKey: KEY, organizationId: 'org_2', keyName: 'ci' });
  });

  it('--json: the public CLI’s document, without isNewUser and without the secret', async () => {
    const h = harness({ expected: [{ url: '/clicompletelogin', response: ok({ ...signedIn, isNewUser: false }, 'req-l') }] });
    expect(await h.run([...ARGV, '--json'])).toBe(0);
    const doc = oneJson(h.stdout.text) as { data: Record<string, unknown> };
    expect(Object.keys(doc.data)).toEqual(['profileName', 'organizationId', 'organizationName', 'apiKey']);
    expect(doc).toMatchObject({
      success: true,
      data: { profileName: 'beta-labs', apiKey: { keyId: 'key_3' } },
      requestId: 'req-l',
    });
    expect(h.stdout.text).not.toContain(KEY);
  });

  it('MULTIPLE_ORGANIZATIONS: exit 1, the nextAction and the organizations listed; nothing saved', async () => {
    const h = harness({ expected: [{ url: '/clicompletelogin', status: 409, response: multiple }] });
    expect(await h.run(ARGV)).toBe(1);
    expect(h.stderr.text).toBe(
      [
        'Error: This user belongs to several organizations; choose one (MULTIPLE_ORGANIZATIONS)',
        'Next: Re-run with --organization-id <id>',
        'Available organizations:',
        '  org_1  Acme Corp',
        '  org_2  Beta Labs',
        'Request ID: req-m',
        '',
      ].join('\n'),
    );
    expect(h.config.writes).toBe(0);
  });

  it('MULTIPLE_ORGANIZATIONS with --json: the public CLI’s failure document (with the status) and the request id', async () => {
    const h = harness({ expected: [{ url: '/clicompletelogin', status: 409, response: multiple }] });
    expect(await h.run([...ARGV, '--json'])).toBe(1);
    expect(oneJson(h.stdout.text)).toEqual({ success: false, status: 409, error: multiple.error, requestId: 'req-m' });
  });

  it('--organization-id must not be empty (exit 2)', async () => {
    expect(await harness().run([...ARGV, '--organization-id', ' '])).toBe(2);
  });
});
