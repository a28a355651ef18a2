import { describe, expect, it } from 'vitest';
import { fail, harness, ok, oneJson, profileConfig } from '../../../test-support/harness.js';

const member = (role: string) => ({
  userId: 'usr_9',
  email: 'ada@example.com',
  role,
  joinedAt: '2026-03-02T10:00:00.000Z',
  liveKeyCount: 2,
});

describe('organization members set-role', () => {
  it('names the member by e-mail or user id and shows the change', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/updateorganizationmemberpublic',
          check: (r) => expect(r.body).toEqual({ email: 'ada@example.com', role: 'admin' }),
          response: ok({ member: member('admin'), previousRole: 'member' }),
        },
        {
          url: '/updateorganizationmemberpublic',
          check: (r) => expect(r.body).toEqual({ userId: 'usr_9', role: 'admin' }),
          response: ok({ member: member('admin'), previousRole: 'admin' }),
        },
      ],
    });
    expect(await h.run(['organization', 'members', 'set-role', '--email', 'ada@example.com', '--role', 'admin'])).toBe(0);
    expect(h.stdout.text).toBe('✓ ada@example.com: member → admin\n  User ID: usr_9\n');
    expect(await h.run(['organization', 'members', 'set-role', '--user-id', 'usr_9', '--role', 'admin'])).toBe(0);
    expect(h.stdout.text).toContain('✓ ada@example.com: admin (unchanged)\n');
  });

  it('--json prints the envelope', async () => {
    const data = { member: member('owner'), previousRole: 'admin' };
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/updateorganizationmemberpublic', response: ok(data, 'r') }],
    });
    expect(await h.run(['organization', 'members', 'set-role', '--email', 'ada@example.com', '--role', 'owner', '--json'])).toBe(
      0,
    );
    expect(oneJson(h.stdout.text)).toEqual({ success: true, data, requestId: 'r' });
  });

  it.each([
    [['--role', 'admin'], /Name the member with --email <email> or --user-id <id>/],
    [['--email', 'ada@example.com', '--user-id', 'usr_9', '--role', 'admin'], /Give --email or --user-id, not both/],
    [['--email', 'ada@example.com'], /Missing required option '--role <role>'/],
    [['--user-id', ' ', '--role', 'admin'], /--user-id must not be empty/],
    [['--email', 'ada@example.com', '--role', 'Owner'], /--role must be one of/],
  ])('%j → exit 2 before any request', async (argv, message) => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['organization', 'members', 'set-role', ...argv])).toBe(2);
    expect(h.stderr.text).toMatch(message);
  });

  it.each([
    ['LAST_OWNER', 409],
    ['SELF_ROLE_CHANGE', 409],
    ['MEMBER_NOT_FOUND', 404],
  ])('%s: exit 1', async (code, status) => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/updateorganizationmemberpublic', status, response: fail(code, 'No') }],
    });
    expect(await h.run(['organization', 'members', 'set-role', '--email', 'ada@example.com', '--role', 'member'])).toBe(1);
    expect(h.stderr.text).toContain(`(${code})`);
    if (code === 'MEMBER_NOT_FOUND') expect(h.stderr.text).toContain('codika organization members list');
  });
});
