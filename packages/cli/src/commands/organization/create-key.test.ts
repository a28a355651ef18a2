import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../parse.js';
import { fail, harness, KEY, OTHER_KEY, ok, oneJson, profileConfig } from '../../test-support/harness.js';
import { parse, spec } from './create-key.js';

const created = {
  keyId: 'key_new',
  apiKey: OTHER_KEY,
  keyPrefix: OTHER_KEY.slice(0, 8),
  name: 'CI Deploy Key',
  description: '',
  scopes: ['deploy:use-case', 'projects:read'],
  createdAt: '2026-03-31T14:00:00.000Z',
};

describe('create-key parsing', () => {
  it('reads the options', () => {
    expect(
      parse(
        parseArgv(spec, [
          '--name',
          'CI',
          '--scopes',
          'a, b',
          '--organization-id',
          'o',
          '--description',
          'd',
          '--expires-in-days',
          '30',
        ]),
      ),
    ).toEqual({ name: 'CI', scopes: ['a', 'b'], organizationId: 'o', description: 'd', expiresInDays: 30, json: false, api: {} });
  });
  it.each([
    [['--scopes', 'a']],
    [['--name', 'x']],
    [['--name', 'x', '--scopes', ',']],
    [['--name', 'x', '--scopes', 'a', '--expires-in-days', '0']],
    [['--name', 'x', '--scopes', 'a', '--expires-in-days', '366']],
    [['--name', 'x', '--scopes', 'a', '--expires-in-days', '1.5']],
    [['--name', 'x', '--scopes', 'a', '--description', 'x'.repeat(501)]],
  ])('%j → validation error', (argv) => {
    expect(() => parse(parseArgv(spec, argv))).toThrow();
  });
});

describe('create-key', () => {
  it('creates in the active profile organization, prints the raw key once, saves and activates a profile', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: 'http://127.0.0.1:9999/createorganizationapikeypublic',
          check: (r) =>
            expect(r.body).toEqual({
              organizationId: 'org_1',
              name: 'CI Deploy Key',
              scopes: ['deploy:use-case', 'projects:read'],
            }),
          response: ok(created),
        },
      ],
    });
    expect(
      await h.run(['organization', 'create-key', '--name', 'CI Deploy Key', '--scopes', 'deploy:use-case,projects:read']),
    ).toBe(0);
    expect(h.stdout.text).toBe(
      `✓ API key created\nKey ID: key_new\nName: CI Deploy Key\nScopes: deploy:use-case, projects:read\nAPI key: ${OTHER_KEY}\n`,
    );
    expect(h.stdout.text.split(OTHER_KEY).length).toBe(2);
    expect(h.stderr.text).toContain('it will not be shown again');
    expect(h.stderr.text).toContain(
      'Saved as profile "acme-corp-ci-deploy-key" (now active). Switch back with: codika use acme-corp',
    );
    expect(h.config.data?.activeProfile).toBe('acme-corp-ci-deploy-key');
    expect(h.config.data?.profiles['acme-corp-ci-deploy-key']).toMatchObject({
      apiKey: OTHER_KEY,
      organizationId: 'org_1',
      organizationName: 'Acme Corp',
      keyName: 'CI Deploy Key',
      baseUrl: 'http://127.0.0.1:9999',
    });
  });

  it('with a key from --api-key, asks the server which organization the key belongs to', async () => {
    const who = {
      type: 'org-api-key',
      keyId: 'k',
      keyName: 'Owner',
      keyPrefix: KEY.slice(0, 8),
      scopes: ['api-keys:manage'],
      organizationId: 'org_9',
      organizationName: 'Nine',
      createdAt: '2026-03-01T10:00:00.000Z',
    };
    const h = harness({
      expected: [
        { url: '/verifyapikey', response: ok(who) },
        {
          url: '/createorganizationapikeypublic',
          check: (r) => expect(r.body).toMatchObject({ organizationId: 'org_9' }),
          response: ok(created),
        },
      ],
    });
    expect(
      await h.run([
        'organization',
        'create-key',
        '--name',
        'CI Deploy Key',
        '--scopes',
        'projects:read',
        '--api-key',
        KEY,
        '--json',
      ]),
    ).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual(ok(created));
    expect(h.config.data?.profiles['nine-ci-deploy-key']?.organizationName).toBe('Nine');
  });

  it('API errors → exit 1, nothing saved', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        { url: '/createorganizationapikeypublic', status: 429, response: fail('MAX_API_KEYS_REACHED', 'Too many keys') },
      ],
    });
    expect(await h.run(['organization', 'create-key', '--name', 'x', '--scopes', 'projects:read'])).toBe(1);
    expect(h.config.writes).toBe(0);
  });
});
