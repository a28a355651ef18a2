import { describe, expect, it } from 'vitest';
import type { Config } from './config-store.js';
import { signInProfileName } from './profiles.js';
import { profileConfig } from './test-support/harness.js';

const key = { organizationId: 'org_9', organizationName: 'Acme Corp', keyName: 'CLI default key', keyPrefix: 'cko_AbCd' };

describe('signInProfileName (the public Codika CLI’s naming)', () => {
  it('slugs the organization name as the public CLI does (no accent folding, no length cap)', () => {
    const empty: Config = { profiles: {} };
    expect(signInProfileName(empty, key)).toBe('acme-corp');
    expect(signInProfileName(empty, { ...key, organizationName: '  Café & Co. ' })).toBe('caf-co');
    expect(signInProfileName(empty, { ...key, organizationName: 'x'.repeat(80) })).toBe('x'.repeat(80));
  });
  it('falls back to the key name, then the key prefix, then "default"', () => {
    const empty: Config = { profiles: {} };
    expect(signInProfileName(empty, { ...key, organizationName: '' })).toBe('cli-default-key');
    expect(signInProfileName(empty, { ...key, organizationName: '', keyName: '' })).toBe('cko_AbCd');
    expect(signInProfileName(empty, { ...key, organizationName: '!!!' })).toBe('default');
  });
  it('reuses the first profile of the same organization, else takes -2, -3… of a taken name', () => {
    const config = profileConfig();
    config.profiles['acme-corp-2'] = { ...config.profiles['acme-corp']! };
    expect(signInProfileName(config, key)).toBe('acme-corp-3');
    expect(signInProfileName(config, { ...key, organizationId: 'org_1' })).toBe('acme-corp');
    expect(signInProfileName(config, key, 'chosen')).toBe('chosen');
  });
});
