import { describe, expect, it } from 'vitest';
import { harness, profileConfig } from '../test-support/harness.js';

describe('logout', () => {
  it('removes the active profile by default', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['logout'])).toBe(0);
    expect(h.config.data).toEqual({ profiles: {} });
    expect(h.stdout.text).toContain('Removed profile "acme-corp".');
  });
  it('removes a named profile; the next one becomes active when the active one goes', async () => {
    const c = profileConfig();
    c.profiles.b = { ...c.profiles['acme-corp']! };
    const h = harness({ config: c });
    expect(await h.run(['logout', 'acme-corp'])).toBe(0);
    expect(h.config.data?.activeProfile).toBe('b');
  });
  it('unknown or none → exit 2', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['logout', 'nope'])).toBe(2);
    expect(h.stderr.text).toContain('Available profiles: acme-corp.');
    const n = harness();
    expect(await n.run(['logout'])).toBe(2);
  });
});
