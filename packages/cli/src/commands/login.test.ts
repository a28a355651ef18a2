import { describe, expect, it } from 'vitest';
import { parseArgv } from '../parse.js';
import { fail, harness, KEY, ok, oneJson } from '../test-support/harness.js';
import { parse, spec } from './login.js';

const verify = {
  type: 'org-api-key',
  keyId: 'key_1',
  keyName: 'Owner key',
  keyPrefix: KEY.slice(0, 8),
  scopes: ['api-keys:manage', 'projects:read'],
  organizationId: 'org_1',
  organizationName: 'Acme Corp',
  createdAt: '2026-03-01T10:00:00.000Z',
};

describe('login parsing', () => {
  it('reads the options', () => {
    expect(parse(parseArgv(spec, ['--api-key', KEY, '--base-url', 'http://h:1', '--name', 'ci', '--skip-verify']))).toEqual({
      apiKey: KEY,
      baseUrl: 'http://h:1',
      name: 'ci',
      skipVerify: true,
      json: false,
    });
  });
  it.each([[['--base-url', 'nope']], [['--name', 'has space']], [['--api-key', '']]])('%j → validation error', (argv) => {
    expect(() => parse(parseArgv(spec, argv))).toThrow();
  });
});

describe('login', () => {
  it('verifies the key, saves a profile named after the organization, makes it active', async () => {
    const h = harness({
      expected: [
        {
          url: 'http://h:1/verifyapikey',
          check: (r) => expect(r.headers['x-process-manager-key']).toBe(KEY),
          response: ok(verify),
        },
      ],
    });
    expect(await h.run(['login', '--api-key', KEY, '--base-url', 'http://h:1/'])).toBe(0);
    expect(h.config.data).toEqual({
      activeProfile: 'acme-corp',
      profiles: {
        'acme-corp': {
          apiKey: KEY,
          type: 'org-api-key',
          organizationId: 'org_1',
          organizationName: 'Acme Corp',
          keyName: 'Owner key',
          keyPrefix: KEY.slice(0, 8),
          scopes: ['api-keys:manage', 'projects:read'],
          createdAt: '2026-03-01T10:00:00.000Z',
          baseUrl: 'http://h:1',
        },
      },
    });
    expect(h.stdout.text).toContain(`✓ Logged in to Acme Corp as "Owner key" (${KEY.slice(0, 8)}…)`);
    expect(h.stdout.text).toContain('Profile: acme-corp (active)');
    expect(h.stdout.text).not.toContain(KEY);
    h.fetch.assertAllUsed();
  });

  it('uses CODIKA_BASE_URL, then the default', async () => {
    const h = harness({
      env: { CODIKA_BASE_URL: 'http://env:2' },
      expected: [{ url: 'http://env:2/verifyapikey', response: ok(verify) }],
    });
    expect(await h.run(['login', '--api-key', KEY, '--name', 'x'])).toBe(0);
    expect(h.config.data?.profiles.x?.baseUrl).toBe('http://env:2');
    const d = harness({ expected: [{ url: 'http://127.0.0.1:8787/verifyapikey', response: ok(verify) }] });
    expect(await d.run(['login', '--api-key', KEY])).toBe(0);
  });

  it('prompts with masked input on a terminal', async () => {
    const h = harness({
      tty: { stdin: true },
      answers: [` ${KEY} `],
      expected: [{ url: '/verifyapikey', response: ok(verify) }],
    });
    expect(await h.run(['login'])).toBe(0);
    expect(h.prompts).toEqual(['Organization API key (input hidden)']);
    expect(h.config.data?.profiles['acme-corp']?.apiKey).toBe(KEY);
  });

  it('without --api-key and without a terminal → exit 2', async () => {
    const h = harness();
    expect(await h.run(['login'])).toBe(2);
    expect(h.stderr.text).toContain('pass --api-key');
    const j = harness();
    expect(await j.run(['login', '--json'])).toBe(2);
    expect(oneJson(j.stdout.text)).toMatchObject({ error: { code: 'MISSING_API_KEY' } });
  });

  it('a malformed key → exit 2 before any request; nothing saved', async () => {
    const h = harness();
    expect(await h.run(['login', '--api-key', 'cko_short'])).toBe(2);
    expect(h.config.writes).toBe(0);
  });

  it('a rejected key → exit 1, nothing saved', async () => {
    const h = harness({
      expected: [{ url: '/verifyapikey', status: 401, response: fail('UNAUTHENTICATED', 'Invalid API key') }],
    });
    expect(await h.run(['login', '--api-key', KEY])).toBe(1);
    expect(h.stderr.text).toContain('Invalid API key (UNAUTHENTICATED)');
    expect(h.config.writes).toBe(0);
  });

  it('--skip-verify saves without a request', async () => {
    const h = harness();
    expect(await h.run(['login', '--api-key', KEY, '--skip-verify'])).toBe(0);
    expect(h.config.data?.activeProfile).toBe('default');
    expect(h.config.data?.profiles.default).toMatchObject({
      apiKey: KEY,
      keyPrefix: KEY.slice(0, 8),
      baseUrl: 'http://127.0.0.1:8787',
    });
  });

  it('logging in again with the same key replaces the profile instead of adding acme-corp-2', async () => {
    const h = harness({
      expected: [
        { url: '/verifyapikey', response: ok(verify) },
        { url: '/verifyapikey', response: ok(verify) },
      ],
    });
    await h.run(['login', '--api-key', KEY]);
    await h.run(['login', '--api-key', KEY]);
    expect(Object.keys(h.config.data?.profiles ?? {})).toEqual(['acme-corp']);
  });

  it('--json prints one document without the key', async () => {
    const h = harness({ expected: [{ url: '/verifyapikey', response: ok(verify) }] });
    expect(await h.run(['login', '--api-key', KEY, '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toMatchObject({
      success: true,
      profile: 'acme-corp',
      verified: true,
      keyPrefix: KEY.slice(0, 8),
    });
    expect(h.stdout.text).not.toContain(KEY);
  });
});
