import { describe, expect, it } from 'vitest';
import { harness, ok, oneJson, profileConfig } from '../../test-support/harness.js';

const keys = [
  {
    keyId: 'key_1',
    name: 'Owner key',
    description: '',
    keyPrefix: 'cko_AAAA',
    scopes: ['api-keys:manage', 'projects:read'],
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
    lastUsedAt: '2026-03-31T13:00:00.000Z',
    createdBy: { userId: 'u', email: 'o@example.com' },
    enabled: true,
  },
  {
    keyId: 'key_22',
    name: 'CI',
    description: '',
    keyPrefix: 'cko_BBBB',
    scopes: ['deploy:use-case'],
    createdAt: '2026-03-01T10:00:00.000Z',
    updatedAt: '2026-03-01T10:00:00.000Z',
    expiresAt: '2026-06-01T00:00:00.000Z',
    createdBy: { userId: 'u', email: 'o@example.com' },
    enabled: false,
    allowedIps: ['10.0.0.0/8', '2001:db8::/32'],
    previousSecretExpiresAt: '2026-04-01T10:00:00.000Z',
  },
];

describe('list-keys', () => {
  it('prints an aligned table on a terminal', async () => {
    const h = harness({
      config: profileConfig(),
      tty: { stdout: true },
      env: { NO_COLOR: '1' },
      expected: [{ url: '/listorganizationapikeyspublic', response: ok({ keys }) }],
    });
    expect(await h.run(['organization', 'list-keys'])).toBe(0);
    expect(h.stdout.text).toBe(
      [
        'KEY ID  NAME       PREFIX     SCOPES                         STATE               EXPIRES                   ALLOWED IPS               LAST USED',
        'key_1   Owner key  cko_AAAA…  api-keys:manage,projects:read  enabled             never                     anywhere                  2026-03-31T13:00:00.000Z',
        'key_22  CI         cko_BBBB…  deploy:use-case                disabled, rotating  2026-06-01T00:00:00.000Z  10.0.0.0/8,2001:db8::/32  never',
        '',
      ].join('\n'),
    );
  });
  it('prints tab-separated lines otherwise', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/listorganizationapikeyspublic',
          check: (r) => expect(r.body).toEqual({ organizationId: 'o2' }),
          response: ok({ keys }),
        },
      ],
    });
    expect(await h.run(['organization', 'list-keys', '--organization-id', 'o2'])).toBe(0);
    expect(h.stdout.text.split('\n')[0]).toBe('KEY ID\tNAME\tPREFIX\tSCOPES\tSTATE\tEXPIRES\tALLOWED IPS\tLAST USED');
    // Piped: the prefix as the server gave it, without the terminal's "…".
    expect(h.stdout.text.split('\n')[2]).toBe(
      'key_22\tCI\tcko_BBBB\tdeploy:use-case\tdisabled, rotating\t2026-06-01T00:00:00.000Z\t10.0.0.0/8,2001:db8::/32\tnever',
    );
  });
  it('--json prints the envelope; empty list is said', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/listorganizationapikeyspublic', check: (r) => expect(r.body).toEqual({}), response: ok({ keys }) }],
    });
    expect(await h.run(['organization', 'list-keys', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual(ok({ keys }));
    const e = harness({
      config: profileConfig(),
      expected: [{ url: '/listorganizationapikeyspublic', response: ok({ keys: [] }) }],
    });
    expect(await e.run(['organization', 'list-keys'])).toBe(0);
    expect(e.stdout.text).toBe('No API keys.\n');
  });
});

describe('list-keys on a terminal', () => {
  it('abbreviates a key holding every scope so the table does not wrap', async () => {
    const all = [
      {
        ...keys[0]!,
        scopes: [
          'api-keys:manage',
          'deploy:use-case',
          'executions:read',
          'instances:manage',
          'instances:read',
          'integrations:manage',
          'projects:create',
          'projects:read',
          'skills:read',
          'workflows:trigger',
        ],
      },
    ];
    const h = harness({
      config: profileConfig(),
      tty: { stdout: true },
      env: { NO_COLOR: '1' },
      expected: [{ url: '/listorganizationapikeyspublic', response: ok({ keys: all }) }],
    });
    expect(await h.run(['organization', 'list-keys'])).toBe(0);
    expect(h.stdout.text.split('\n')[1]).toBe(
      'key_1   Owner key  cko_AAAA…  all 10 scopes  enabled  never    anywhere     2026-03-31T13:00:00.000Z',
    );
  });
});

describe('list-keys filters', () => {
  it('sends state, sort and the durations as times from now', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/listorganizationapikeyspublic',
          check: (r) =>
            expect(r.body).toEqual({
              state: 'live',
              unusedSince: '2026-03-01T14:00:00.000Z',
              expiresBefore: '2026-04-07T14:00:00.000Z',
              sort: 'last-used',
            }),
          response: ok({ keys: [] }),
        },
      ],
    });
    const code = await h.run([
      'organization',
      'list-keys',
      '--state',
      'live',
      '--unused-since',
      '30d',
      '--expiring-within',
      '7d',
      '--sort',
      'last-used',
    ]);
    expect(code).toBe(0);
    expect(h.stdout.text).toBe('No API keys match.\n');
  });

  it('shows where a key was last used from, and when a key expires', async () => {
    const rows = [{ ...keys[0], lastUsedIp: '10.0.0.9', expiresAt: '2026-04-03T00:00:00.000Z' }, keys[1]];
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/listorganizationapikeyspublic', response: ok({ keys: rows }) }],
    });
    expect(await h.run(['organization', 'list-keys', '--expiring-within', '7d'])).toBe(0);
    const lines = h.stdout.text.split('\n');
    expect(lines[0]).toBe('KEY ID\tNAME\tPREFIX\tSCOPES\tSTATE\tEXPIRES\tALLOWED IPS\tLAST USED');
    expect(lines[1]).toBe(
      'key_1\tOwner key\tcko_AAAA\tapi-keys:manage,projects:read\tenabled\t2026-04-03T00:00:00.000Z\tanywhere\t2026-03-31T13:00:00.000Z (10.0.0.9)',
    );
    expect(lines[2]).toBe(
      'key_22\tCI\tcko_BBBB\tdeploy:use-case\tdisabled, rotating\t2026-06-01T00:00:00.000Z\t10.0.0.0/8,2001:db8::/32\tnever',
    );
  });

  it('refuses unknown states, sorts and durations before any request', async () => {
    for (const args of [
      ['--state', 'archived'],
      ['--sort', 'size'],
      ['--unused-since', '30'],
      ['--expiring-within', 'soon'],
    ]) {
      const h = harness({ config: profileConfig() });
      expect(await h.run(['organization', 'list-keys', ...args]), args.join(' ')).toBe(2);
      expect(h.fetch.seen).toHaveLength(0);
    }
  });
});
