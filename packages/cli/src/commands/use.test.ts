import { describe, expect, it } from 'vitest';
import { harness, KEY, oneJson, profileConfig } from '../test-support/harness.js';

const two = () => {
  const c = profileConfig();
  c.profiles.other = { ...c.profiles['acme-corp']!, organizationName: 'Other', organizationId: 'org_2' };
  return c;
};

describe('use', () => {
  it('lists profiles with the active one marked', async () => {
    const h = harness({ config: two() });
    expect(await h.run(['use'])).toBe(0);
    expect(h.stdout.text).toMatch(/^\* acme-corp +Acme Corp +cko_/m);
    expect(h.stdout.text).toMatch(/^ {2}other +Other/m);
    expect(h.stdout.text).not.toContain(KEY);
  });
  it('--json prints the array shape of the public client', async () => {
    const h = harness({ config: two() });
    expect(await h.run(['use', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual([
      {
        name: 'acme-corp',
        organizationId: 'org_1',
        organizationName: 'Acme Corp',
        scopes: ['api-keys:manage', 'projects:read'],
        keyPrefix: KEY.slice(0, 8),
        active: true,
      },
      {
        name: 'other',
        organizationId: 'org_2',
        organizationName: 'Other',
        scopes: ['api-keys:manage', 'projects:read'],
        keyPrefix: KEY.slice(0, 8),
        active: false,
      },
    ]);
  });
  it('switches the active profile', async () => {
    const h = harness({ config: two() });
    expect(await h.run(['use', 'other'])).toBe(0);
    expect(h.config.data?.activeProfile).toBe('other');
    expect(h.stdout.text).toContain('Active profile: other');
  });
  it('an unknown profile → exit 2 listing the profiles', async () => {
    const h = harness({ config: two() });
    expect(await h.run(['use', 'nope'])).toBe(2);
    expect(h.stderr.text).toContain('Available profiles: acme-corp, other.');
    expect(h.config.writes).toBe(0);
  });
  it('no profiles', async () => {
    const h = harness();
    expect(await h.run(['use'])).toBe(0);
    expect(h.stdout.text).toContain('No profiles saved');
  });
});
