import { describe, expect, it } from 'vitest';
import { harness, KEY, ok, oneJson, profileConfig } from '../test-support/harness.js';

describe('config', () => {
  it('show lists profiles with masked keys', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['config', 'show'])).toBe(0);
    expect(h.stdout.text).toContain('Config file: /home/test/.config/codika/config.json');
    expect(h.stdout.text).toContain(`API key: ${KEY.slice(0, 8)}…`);
    expect(h.stdout.text).not.toContain(KEY);
    const j = harness({ config: profileConfig() });
    expect(await j.run(['config', 'show', '--json'])).toBe(0);
    expect(oneJson(j.stdout.text)).toMatchObject({
      activeProfile: 'acme-corp',
      profiles: { 'acme-corp': { apiKey: `${KEY.slice(0, 8)}…` } },
    });
    expect(j.stdout.text).not.toContain(KEY);
  });
  it('show --profile unknown → exit 2', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['config', 'show', '--profile', 'x'])).toBe(2);
  });
  it('clear removes one or all', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['config', 'clear', '--profile', 'acme-corp'])).toBe(0);
    expect(h.config.data).toEqual({ profiles: {} });
    const a = harness({ config: profileConfig() });
    expect(await a.run(['config', 'clear'])).toBe(0);
    expect(a.stdout.text).toContain('Removed 1 profile(s): acme-corp.');
    expect(a.config.data).toEqual({ profiles: {} });
  });
  it('set is login', async () => {
    const h = harness({
      expected: [
        {
          url: '/verifyapikey',
          response: ok({
            type: 'org-api-key',
            keyId: 'k',
            keyName: 'n',
            keyPrefix: KEY.slice(0, 8),
            scopes: [],
            organizationId: 'o',
            organizationName: 'Org',
            createdAt: '2026-03-01T10:00:00.000Z',
          }),
        },
      ],
    });
    expect(await h.run(['config', 'set', '--api-key', KEY])).toBe(0);
    expect(h.config.data?.activeProfile).toBe('org');
  });
  it('a corrupt config is reported with its path and not overwritten', async () => {
    const h = harness();
    h.config.raw = '[1,2]';
    expect(await h.run(['config', 'clear'])).toBe(2);
    expect(h.stderr.text).toContain('/home/test/.config/codika/config.json is corrupt');
    expect(h.config.writes).toBe(0);
  });
});
