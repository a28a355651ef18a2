import { describe, expect, it } from 'vitest';
import { fail, harness, ok, oneJson, profileConfig } from '../../test-support/harness.js';

const settings = { organizationId: 'org_1', maxKeyLifetimeDays: null, keysExceedingPolicy: [] };

describe('organization settings', () => {
  it('without options reads the settings', async () => {
    const h = harness({
      config: profileConfig(),
      env: { NO_COLOR: '1' },
      expected: [{ url: '/getorganizationsettingspublic', check: (r) => expect(r.body).toEqual({}), response: ok(settings) }],
    });
    expect(await h.run(['organization', 'settings'])).toBe(0);
    expect(h.stdout.text).toBe('Organization: org_1\nMaximum key lifetime: none\n');
  });

  it('--max-key-lifetime-days sets it and lists the keys that break it', async () => {
    const h = harness({
      config: profileConfig(),
      env: { NO_COLOR: '1' },
      expected: [
        {
          url: '/updateorganizationsettingspublic',
          check: (r) => expect(r.body).toEqual({ maxKeyLifetimeDays: 90 }),
          response: ok({
            organizationId: 'org_1',
            maxKeyLifetimeDays: 90,
            previous: { maxKeyLifetimeDays: null },
            keysExceedingPolicy: [{ keyId: 'key_1', name: 'CI', keyPrefix: 'cko_AAAA' }],
          }),
        },
      ],
    });
    expect(await h.run(['organization', 'settings', '--max-key-lifetime-days', '90'])).toBe(0);
    expect(h.stdout.text).toContain('✓ Settings updated');
    expect(h.stdout.text).toContain('Maximum key lifetime: 90 days (was none)');
    expect(h.stdout.text).toContain('1 live key breaks it');
    expect(h.stdout.text).toContain('key_1\tCI\tcko_AAAA…\tnever');
  });

  it('--no-max-key-lifetime sends null; --json prints the envelope', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/updateorganizationsettingspublic',
          check: (r) => expect(r.body).toEqual({ maxKeyLifetimeDays: null }),
          response: ok({ ...settings, previous: { maxKeyLifetimeDays: 30 } }),
        },
      ],
    });
    expect(await h.run(['organization', 'settings', '--no-max-key-lifetime', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toMatchObject({ success: true, data: { maxKeyLifetimeDays: null } });
  });

  it('refuses both options or a bad value before any request (exit 2); NOT_ORG_OWNER is exit 1', async () => {
    for (const argv of [
      ['--max-key-lifetime-days', '0'],
      ['--max-key-lifetime-days', '366'],
      ['--max-key-lifetime-days', '5', '--no-max-key-lifetime'],
    ]) {
      const h = harness({ config: profileConfig() });
      expect(await h.run(['organization', 'settings', ...argv])).toBe(2);
    }
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/updateorganizationsettingspublic', status: 403, response: fail('NOT_ORG_OWNER', 'Only an owner') }],
    });
    expect(await h.run(['organization', 'settings', '--max-key-lifetime-days', '5'])).toBe(1);
    expect(h.stderr.text).toContain('NOT_ORG_OWNER');
  });
});
