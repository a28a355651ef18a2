import { describe, expect, it } from 'vitest';
import { parseArgv } from '../parse.js';
import { fail, harness, KEY, ok, oneJson, profileConfig } from '../test-support/harness.js';
import { parse, spec } from './whoami.js';

const verify = {
  type: 'org-api-key',
  keyId: 'key_1',
  keyName: 'Owner key',
  keyPrefix: KEY.slice(0, 8),
  scopes: ['api-keys:manage'],
  organizationId: 'org_1',
  organizationName: 'Acme Corp',
  createdAt: '2026-03-01T10:00:00.000Z',
  lastUsedAt: '2026-03-31T13:00:00.000Z',
};
const refused = Object.assign(new TypeError('fetch failed'), {
  cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }),
});

describe('whoami', () => {
  it('parses', () => {
    expect(parse(parseArgv(spec, ['--json', '--profile', 'p']))).toEqual({ json: true, api: { profile: 'p' } });
  });

  it('asks the server and prints identity, masked', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: 'http://127.0.0.1:9999/verifyapikey', response: ok(verify) }],
    });
    expect(await h.run(['whoami'])).toBe(0);
    expect(h.stdout.text).toBe(
      [
        'Organization: Acme Corp (org_1)',
        `Key: Owner key (${KEY.slice(0, 8)}…)`,
        'Key ID: key_1',
        'Type: org-api-key',
        'Scopes: api-keys:manage',
        'Last used: 2026-03-31T13:00:00.000Z',
        'Source: profile "acme-corp"',
        'Server: http://127.0.0.1:9999',
        '',
      ].join('\n'),
    );
    expect(h.stdout.text).not.toContain(KEY);
  });

  it('says when the key in use is a rotated key’s old secret, and until when it works', async () => {
    const h = harness({
      config: profileConfig(),
      env: { NO_COLOR: '1' },
      expected: [
        {
          url: 'http://127.0.0.1:9999/verifyapikey',
          response: ok({ ...verify, rotation: { previousSecretExpiresAt: '2026-04-01T14:00:00.000Z' } }),
        },
      ],
    });
    expect(await h.run(['whoami'])).toBe(0);
    expect(h.stdout.text).toContain(
      'Old secret: this key was rotated; the secret in use stops working at 2026-04-01T14:00:00.000Z',
    );
  });

  it('--json has the public client shape', async () => {
    const h = harness({ config: profileConfig(), expected: [{ url: '/verifyapikey', response: ok(verify) }] });
    expect(await h.run(['whoami', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual({
      loggedIn: true,
      ...verify,
      source: 'profile "acme-corp"',
      profileName: 'acme-corp',
    });
    const e = harness({ env: { CODIKA_API_KEY: KEY }, expected: [{ url: '/verifyapikey', response: ok(verify) }] });
    expect(await e.run(['whoami', '--json'])).toBe(0);
    expect(oneJson(e.stdout.text)).toMatchObject({ source: 'env (CODIKA_API_KEY)', profileName: null });
    const f = harness({ expected: [{ url: '/verifyapikey', response: ok(verify) }] });
    expect(await f.run(['whoami', '--json', '--api-key', KEY])).toBe(0);
    expect(oneJson(f.stdout.text)).toMatchObject({ source: 'flag' });
  });

  it('falls back to the cached profile when the server is unreachable, marked as cached', async () => {
    const h = harness({ config: profileConfig(), expected: [{ url: '/verifyapikey', reject: refused }] });
    expect(await h.run(['whoami'])).toBe(0);
    expect(h.stdout.text).toContain('Organization: Acme Corp');
    expect(h.stdout.text).toContain('(cached)');
    expect(h.stderr.text).toContain('connection refused');
    const j = harness({ config: profileConfig(), expected: [{ url: '/verifyapikey', reject: refused }] });
    expect(await j.run(['whoami', '--json'])).toBe(0);
    expect(oneJson(j.stdout.text)).toMatchObject({ loggedIn: true, cached: true, organizationName: 'Acme Corp' });
  });

  it('no fallback for a key that does not come from a profile: exit 1', async () => {
    const h = harness({ env: { CODIKA_API_KEY: KEY }, expected: [{ url: '/verifyapikey', reject: refused }] });
    expect(await h.run(['whoami'])).toBe(1);
  });

  it('a revoked key is an API error, exit 1, no fallback', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/verifyapikey', status: 401, response: fail('UNAUTHENTICATED', 'API key revoked') }],
    });
    expect(await h.run(['whoami'])).toBe(1);
    expect(h.stderr.text).toContain('codika login');
  });

  it('no key: {loggedIn:false} and exit 2', async () => {
    const h = harness();
    expect(await h.run(['whoami', '--json'])).toBe(2);
    expect(oneJson(h.stdout.text)).toEqual({ loggedIn: false });
    const t = harness();
    expect(await t.run(['whoami'])).toBe(2);
    expect(t.stderr.text).toContain('Not logged in');
  });
});
