import { generateKey } from '@codika/contract/keys';
import { describe, expect, it } from 'vitest';
import { fail, harness, KEY, OTHER_KEY, ok, oneJson, profileConfig } from '../../test-support/harness.js';

const NEW_KEY = generateKey('cko_');

function summary(prefix: string) {
  return {
    keyId: 'key_1',
    name: 'Owner key',
    description: '',
    keyPrefix: prefix,
    scopes: ['api-keys:manage', 'projects:read'],
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
    createdBy: { userId: 'u', email: 'o@example.com' },
    enabled: true,
  };
}

const rotated = {
  keyId: 'key_1',
  apiKey: NEW_KEY,
  keyPrefix: NEW_KEY.slice(0, 8),
  name: 'Owner key',
  description: '',
  scopes: ['api-keys:manage', 'projects:read'],
  createdAt: '2026-03-01T10:00:00.000Z',
  rotatedAt: '2026-03-31T14:00:00.000Z',
  previousSecretExpiresAt: '2026-04-01T14:00:00.000Z',
};

describe('organization rotate-key', () => {
  it('sends the grace period (default 24h), prints the new key once, and saves it into the profile that held the key', async () => {
    const config = profileConfig();
    config.profiles.other = { ...config.profiles['acme-corp']!, apiKey: OTHER_KEY, keyPrefix: OTHER_KEY.slice(0, 8) };
    const h = harness({
      config,
      env: { NO_COLOR: '1' },
      expected: [
        { url: '/getorganizationapikeypublic', response: ok(summary(KEY.slice(0, 8))) },
        {
          url: '/rotateorganizationapikeypublic',
          check: (r) => {
            expect(r.body).toEqual({ keyId: 'key_1', gracePeriodSeconds: 86400 });
            expect(r.headers['x-process-manager-key']).toBe(KEY);
          },
          response: ok(rotated),
        },
      ],
    });
    expect(await h.run(['organization', 'rotate-key', '--key-id', 'key_1'])).toBe(0);
    expect(h.stdout.text).toContain('✓ API key rotated');
    expect(h.stdout.text).toContain('Old secret works until: 2026-04-01T14:00:00.000Z');
    expect(h.stdout.text).toContain(`API key: ${NEW_KEY}`);
    expect(h.stderr.text).toContain('Saved into profile "acme-corp".');
    const saved = h.config.data!;
    expect(saved.profiles['acme-corp']).toMatchObject({ apiKey: NEW_KEY, keyPrefix: NEW_KEY.slice(0, 8) });
    expect(saved.profiles.other?.apiKey).toBe(OTHER_KEY);
  });

  it('--grace 0 and --expires-in-days; a key nobody saved changes no profile; --json prints the envelope only', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        { url: '/getorganizationapikeypublic', response: ok(summary('cko_ZZZZ')) },
        {
          url: '/rotateorganizationapikeypublic',
          check: (r) => expect(r.body).toEqual({ keyId: 'key_9', gracePeriodSeconds: 0, expiresInDays: 30 }),
          response: ok({ ...rotated, keyId: 'key_9', previousSecretExpiresAt: undefined }),
        },
      ],
    });
    expect(
      await h.run(['organization', 'rotate-key', '--key-id', 'key_9', '--grace', '0', '--expires-in-days', '30', '--json']),
    ).toBe(0);
    expect(oneJson(h.stdout.text)).toMatchObject({ success: true, data: { keyId: 'key_9', apiKey: NEW_KEY } });
    expect(h.config.writes).toBe(0);
  });

  it('reminds that a key given with --api-key was the rotated one', async () => {
    const h = harness({
      config: { profiles: {} },
      env: { NO_COLOR: '1' },
      expected: [
        { url: '/getorganizationapikeypublic', response: ok(summary(OTHER_KEY.slice(0, 8))) },
        { url: '/rotateorganizationapikeypublic', response: ok({ ...rotated, previousSecretExpiresAt: undefined }) },
      ],
    });
    expect(await h.run(['organization', 'rotate-key', '--key-id', 'key_1', '--api-key', OTHER_KEY])).toBe(0);
    expect(h.stdout.text).toContain('Old secret: stopped working at once');
    expect(h.stderr.text).toContain('was the rotated one');
  });

  it('refuses a bad --grace or --expires-in-days before any request (exit 2)', async () => {
    for (const argv of [['--grace', '8d'], ['--grace', 'soon'], ['--grace', '-1'], ['--expires-in-days', '0'], []]) {
      const h = harness({ config: profileConfig() });
      const keyId = argv.length === 0 ? [] : ['--key-id', 'key_1'];
      expect(await h.run(['organization', 'rotate-key', ...keyId, ...argv]), argv.join(' ')).toBe(2);
      expect(h.fetch.seen).toHaveLength(0);
    }
  });

  it('a refusal of the rotation is exit 1 with its code; the profile is untouched', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        { url: '/getorganizationapikeypublic', status: 404, response: fail('KEY_NOT_FOUND', 'API key not found') },
        { url: '/rotateorganizationapikeypublic', status: 404, response: fail('KEY_NOT_FOUND', 'API key not found') },
      ],
    });
    expect(await h.run(['organization', 'rotate-key', '--key-id', 'nope'])).toBe(1);
    expect(h.stderr.text).toContain('KEY_NOT_FOUND');
    expect(h.config.writes).toBe(0);
  });
});
