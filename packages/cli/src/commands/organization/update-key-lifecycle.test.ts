import { describe, expect, it } from 'vitest';
import { harness, ok, profileConfig } from '../../test-support/harness.js';

const answer = {
  keyId: 'key_1',
  name: 'CI',
  description: '',
  scopes: ['deploy:use-case'],
  updatedAt: '2026-03-31T14:00:00.000Z',
};

async function sends(argv: string[], body: Record<string, unknown>, data: Record<string, unknown> = answer) {
  const h = harness({
    config: profileConfig(),
    env: { NO_COLOR: '1' },
    expected: [
      {
        url: '/updateorganizationapikeypublic',
        check: (r) => expect(r.body).toEqual({ keyId: 'key_1', ...body }),
        response: ok(data),
      },
    ],
  });
  expect(await h.run(['organization', 'update-key', '--key-id', 'key_1', ...argv])).toBe(0);
  return h;
}

describe('organization update-key: lifecycle options', () => {
  it('--expires-in-days sends an expiry that many days from now; --expires-at in UTC; --no-expiry null', async () => {
    await sends(['--expires-in-days', '90'], { expiresAt: '2026-06-29T14:00:00.000Z' });
    await sends(['--expires-at', '2026-06-30T02:00:00+02:00'], { expiresAt: '2026-06-30T00:00:00.000Z' });
    await sends(['--no-expiry'], { expiresAt: null });
  });

  it('--disable / --enable and --allowed-ips / --clear-allowed-ips', async () => {
    await sends(['--disable'], { enabled: false });
    await sends(['--enable'], { enabled: true });
    await sends(['--allowed-ips', ' 10.0.0.0/8, 2001:db8::/32 ,192.0.2.7'], {
      allowedIps: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
    });
    await sends(['--clear-allowed-ips'], { allowedIps: null });
  });

  it('the human output lists the lifecycle changes against previous', async () => {
    const h = await sends(
      ['--disable', '--allowed-ips', '10.0.0.0/8', '--dry-run'],
      { enabled: false, allowedIps: ['10.0.0.0/8'], dryRun: true },
      {
        ...answer,
        enabled: false,
        allowedIps: ['10.0.0.0/8'],
        expiresAt: '2026-06-30T00:00:00.000Z',
        dryRun: true,
        previous: { name: 'CI', description: '', scopes: ['deploy:use-case'] },
      },
    );
    expect(h.stdout.text).toContain('Would change:');
    expect(h.stdout.text).toContain('  Expires: never → 2026-06-30T00:00:00.000Z');
    expect(h.stdout.text).toContain('  State: enabled → disabled');
    expect(h.stdout.text).toContain('  Allowed IPs: anywhere → 10.0.0.0/8');
  });

  it('refuses conflicting or malformed lifecycle options before any request (exit 2)', async () => {
    for (const argv of [
      ['--expires-in-days', '5', '--no-expiry'],
      ['--expires-at', '2026-06-30T00:00:00Z', '--expires-in-days', '5'],
      ['--expires-at', '2026-06-30'],
      ['--expires-at', 'tomorrow'],
      ['--disable', '--enable'],
      ['--allowed-ips', '10.0.0.0/8', '--clear-allowed-ips'],
      ['--allowed-ips', 'not-an-ip'],
      ['--allowed-ips', '10.0.0.0/33'],
      ['--allowed-ips', '2001:db8::/129'],
      ['--allowed-ips', ' , '],
      ['--allowed-ips', Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`).join(',')],
    ]) {
      const h = harness({ config: profileConfig() });
      expect(await h.run(['organization', 'update-key', '--key-id', 'key_1', ...argv]), argv.join(' ')).toBe(2);
      expect(h.fetch.seen).toHaveLength(0);
    }
  });
});
