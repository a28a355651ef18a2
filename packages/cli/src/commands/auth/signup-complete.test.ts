import { generateKey } from '@codika/contract/keys';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../config-store.js';
import { ConfigError } from '../../errors.js';
import { fail, harness, OTHER_KEY, ok, oneJson, profileConfig } from '../../test-support/harness.js';

/** The key the server mints (not the KEY of profileConfig). */
const KEY = generateKey('cko_');

const minted = {
  raw: KEY,
  keyId: 'key_9',
  keyPrefix: KEY.slice(0, 8),
  name: 'CLI default key',
  scopes: ['api-keys:manage', 'projects:read'],
  createdAt: '2026-03-31T14:00:00.000Z',
};
const signedIn = { organizationId: 'org_7', organizationName: 'Acme Corp', isNewUser: true, apiKey: minted };
const ARGV = ['auth', 'signup-complete', '--email', 'ada@example.com', '--code', '123456'];

describe('auth signup-complete', () => {
  it('sends email and code only, saves the key as the active profile named after the organization, never prints it', async () => {
    const h = harness({
      expected: [
        {
          url: 'http://127.0.0.1:8787/clicompletesignup',
          check: (r) => {
            expect(r.headers['x-process-manager-key']).toBeUndefined();
            expect(r.body).toEqual({ email: 'ada@example.com', code: '123456' });
          },
          response: ok(signedIn),
        },
      ],
    });
    expect(await h.run(ARGV)).toBe(0);
    expect(h.config.data).toEqual({
      activeProfile: 'acme-corp',
      profiles: {
        'acme-corp': {
          apiKey: KEY,
          type: 'org-api-key',
          organizationId: 'org_7',
          organizationName: 'Acme Corp',
          keyName: 'CLI default key',
          keyPrefix: KEY.slice(0, 8),
          scopes: ['api-keys:manage', 'projects:read'],
          createdAt: '2026-03-31T14:00:00.000Z',
          baseUrl: 'http://127.0.0.1:8787',
        },
      },
    });
    expect(h.stdout.text).toBe(
      [
        '✓ Signup complete',
        `  Profile:      acme-corp (active), saved in ${h.config.path}`,
        '  Organization: Acme Corp (org_7)',
        '  Key name:     CLI default key',
        `  Key:          ${KEY.slice(0, 8)}…`,
        '  Scopes:       api-keys:manage, projects:read',
        '  Server:       http://127.0.0.1:8787',
        '',
        'You can now run `codika whoami`, `codika organization create-key …`, etc.',
        '',
      ].join('\n'),
    );
    expect(h.stdout.text + h.stderr.text).not.toContain(KEY);
  });

  it('sends the company and key options as the public CLI does, and shows the expiry', async () => {
    const h = harness({
      expected: [
        {
          url: 'http://h:1/clicompletesignup',
          check: (r) =>
            expect(r.body).toEqual({
              email: 'ada@example.com',
              code: '123456',
              company: { name: 'Acme Corp', description: 'Makes anvils' },
              apiKey: { name: 'laptop', expiresInDays: 90 },
            }),
          response: ok({ ...signedIn, apiKey: { ...minted, name: 'laptop', expiresAt: '2026-06-29T14:00:00.000Z' } }),
        },
      ],
    });
    const argv = [...ARGV, '--company', 'Acme Corp', '--description', 'Makes anvils', '--key-name', 'laptop'];
    expect(await h.run([...argv, '--key-expires-in', '90', '--base-url', 'http://h:1'])).toBe(0);
    expect(h.stdout.text).toContain('  Expires:      2026-06-29T14:00:00.000Z\n');
    expect(h.config.data?.profiles['acme-corp']).toMatchObject({ expiresAt: '2026-06-29T14:00:00.000Z', baseUrl: 'http://h:1' });
  });

  it('sends only the description when no company name is given; an empty description is not sent', async () => {
    const h = harness({
      expected: [
        {
          url: '/clicompletesignup',
          check: (r) => expect(r.body).toEqual({ email: 'ada@example.com', code: '123456', company: { description: 'd' } }),
          response: ok(signedIn),
        },
        {
          url: '/clicompletesignup',
          check: (r) => expect(r.body).toEqual({ email: 'ada@example.com', code: '123456' }),
          response: ok(signedIn),
        },
      ],
    });
    expect(await h.run([...ARGV, '--description', 'd'])).toBe(0);
    expect(await h.run([...ARGV, '--description', ''])).toBe(0);
  });

  it('--json prints the public CLI’s document (isNewUser, the key without its secret) plus the request id', async () => {
    const h = harness({ expected: [{ url: '/clicompletesignup', response: ok(signedIn, 'req-5') }] });
    expect(await h.run([...ARGV, '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual({
      success: true,
      data: {
        profileName: 'acme-corp',
        organizationId: 'org_7',
        organizationName: 'Acme Corp',
        isNewUser: true,
        apiKey: {
          keyId: 'key_9',
          keyPrefix: KEY.slice(0, 8),
          name: 'CLI default key',
          scopes: ['api-keys:manage', 'projects:read'],
          createdAt: '2026-03-31T14:00:00.000Z',
        },
      },
      requestId: 'req-5',
    });
    expect(h.stdout.text).not.toContain(KEY);
  });

  it('names the profile as the public CLI: the organization’s existing profile (replaced, with a note), else a free slug, else --name', async () => {
    // The active profile "acme-corp" holds another organization: the slug gets -2.
    const other = harness({ config: profileConfig(), expected: [{ url: '/clicompletesignup', response: ok(signedIn) }] });
    expect(await other.run(ARGV)).toBe(0);
    expect(other.config.data?.activeProfile).toBe('acme-corp-2');
    expect(other.config.data?.profiles['acme-corp']?.apiKey).toBe(
      KEY.length ? profileConfig().profiles['acme-corp']?.apiKey : '',
    );

    // A profile of the same organization, whatever its name: replaced in place.
    const config: Config = profileConfig({ organizationId: 'org_7', apiKey: OTHER_KEY, keyPrefix: OTHER_KEY.slice(0, 8) });
    config.profiles.work = config.profiles['acme-corp']!;
    delete config.profiles['acme-corp'];
    config.activeProfile = 'work';
    const same = harness({ config, expected: [{ url: '/clicompletesignup', response: ok(signedIn) }] });
    expect(await same.run(ARGV)).toBe(0);
    expect(Object.keys(same.config.data?.profiles ?? {})).toEqual(['work']);
    expect(same.config.data?.profiles.work?.apiKey).toBe(KEY);
    expect(same.stderr.text).toContain(`Replaced the key saved in profile "work" (${OTHER_KEY.slice(0, 8)}…)`);
    expect(same.stderr.text).not.toContain(OTHER_KEY);

    const named = harness({ expected: [{ url: '/clicompletesignup', response: ok(signedIn) }] });
    expect(await named.run([...ARGV, '--name', 'mine'])).toBe(0);
    expect(named.config.data?.activeProfile).toBe('mine');
  });

  it.each([
    [['auth', 'signup-complete', '--email', 'ada@example.com'], /Missing required option '--code <code>'/],
    [[...ARGV.slice(0, 4), '--code', '12345'], /--code must be the 6-digit code/],
    [[...ARGV, '--key-expires-in', '0'], /--key-expires-in must be a whole number from 1 to 365/],
    [[...ARGV, '--company', ' '], /--company must not be empty/],
    [[...ARGV, '--description', 'x'.repeat(501)], /--description must be at most 500 characters/],
    [[...ARGV, '--key-name', 'x'.repeat(101)], /--key-name must be at most 100 characters/],
    [[...ARGV, '--name', 'has space'], /--name must be 1–64/],
  ])('%j → exit 2, nothing sent', async (argv, message) => {
    const h = harness();
    expect(await h.run(argv)).toBe(2);
    expect(h.stderr.text).toMatch(message);
  });

  it('a wrong code: exit 1, nothing saved', async () => {
    const h = harness({
      expected: [
        { url: '/clicompletesignup', status: 401, response: fail('INVALID_CODE', 'The code is wrong, used or expired') },
      ],
    });
    expect(await h.run(ARGV)).toBe(1);
    expect(h.stderr.text).toContain('(INVALID_CODE)');
    expect(h.config.writes).toBe(0);
  });

  it('a config file that cannot be written: says which key was created so it can be revoked, without printing it', async () => {
    const h = harness({ expected: [{ url: '/clicompletesignup', response: ok(signedIn) }] });
    h.config.write = async () => {
      throw new ConfigError('Cannot write config file /x: EACCES');
    };
    expect(await h.run(ARGV)).toBe(2);
    expect(h.stderr.text).toContain('Cannot write config file /x: EACCES');
    expect(h.stderr.text).toContain('codika organization revoke-key --key-id key_9');
    expect(h.stdout.text + h.stderr.text).not.toContain(KEY);
  });
});
