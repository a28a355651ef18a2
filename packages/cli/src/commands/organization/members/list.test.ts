import { describe, expect, it } from 'vitest';
import { fail, harness, KEY, ok, oneJson, profileConfig } from '../../../test-support/harness.js';

export const MEMBERS = [
  {
    userId: 'usr_1',
    email: 'owner@example.com',
    role: 'owner',
    joinedAt: '2026-03-01T10:00:00.000Z',
    lastSignInAt: '2026-03-31T13:00:00.000Z',
    liveKeyCount: 12,
  },
  { userId: 'usr_22', email: 'ada@example.com', role: 'admin', joinedAt: '2026-03-02T10:00:00.000Z', liveKeyCount: 3 },
];

describe('organization members list', () => {
  it('asks with the resolved key and prints a table that lines up on a terminal', async () => {
    const h = harness({
      config: profileConfig(),
      tty: { stdout: true },
      env: { NO_COLOR: '1' },
      expected: [
        {
          url: 'http://127.0.0.1:9999/listorganizationmemberspublic',
          check: (r) => {
            expect(r.headers['x-process-manager-key']).toBe(KEY);
            expect(r.body).toEqual({});
          },
          response: ok({ members: MEMBERS }),
        },
      ],
    });
    expect(await h.run(['organization', 'members', 'list'])).toBe(0);
    expect(h.stdout.text).toBe(
      [
        'EMAIL              ROLE   KEYS  JOINED                    LAST SIGN-IN              USER ID',
        'owner@example.com  owner  12    2026-03-01T10:00:00.000Z  2026-03-31T13:00:00.000Z  usr_1',
        'ada@example.com    admin  3     2026-03-02T10:00:00.000Z  never                     usr_22',
        '',
      ].join('\n'),
    );
  });

  it('off a terminal: tab-separated with a header; --json: the envelope', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/listorganizationmemberspublic', response: ok({ members: MEMBERS }) }],
    });
    expect(await h.run(['organization', 'members', 'list'])).toBe(0);
    expect(h.stdout.text.split('\n')[2]).toBe('ada@example.com\tadmin\t3\t2026-03-02T10:00:00.000Z\tnever\tusr_22');
    const j = harness({
      config: profileConfig(),
      expected: [{ url: '/listorganizationmemberspublic', response: ok({ members: MEMBERS }, 'r') }],
    });
    expect(await j.run(['organization', 'members', 'list', '--json'])).toBe(0);
    expect(oneJson(j.stdout.text)).toEqual({ success: true, data: { members: MEMBERS }, requestId: 'r' });
  });

  it('no key → exit 2; a key without api-keys:manage → exit 1 with the hint', async () => {
    expect(await harness().run(['organization', 'members', 'list'])).toBe(2);
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/listorganizationmemberspublic', status: 403, response: fail('INSUFFICIENT_SCOPE', 'Missing scope') }],
    });
    expect(await h.run(['organization', 'members', 'list'])).toBe(1);
    expect(h.stderr.text).toContain('Managing keys and members needs a key with the api-keys:manage scope');
  });
});
