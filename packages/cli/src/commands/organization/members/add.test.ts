import { describe, expect, it } from 'vitest';
import { fail, harness, ok, oneJson, profileConfig } from '../../../test-support/harness.js';

const member = {
  userId: 'usr_9',
  email: 'ada@example.com',
  role: 'member',
  joinedAt: '2026-03-31T14:00:00.000Z',
  liveKeyCount: 0,
};

describe('organization members add', () => {
  it('adds by e-mail as member by default and says how they sign in', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/addorganizationmemberpublic',
          check: (r) => expect(r.body).toEqual({ email: 'ada@example.com', role: 'member' }),
          response: ok({ member }),
        },
      ],
    });
    expect(await h.run(['organization', 'members', 'add', '--email', ' ada@example.com '])).toBe(0);
    expect(h.stdout.text).toBe(
      '✓ Added ada@example.com as member\n  User ID: usr_9\nThey sign in with: codika auth login --email ada@example.com\n',
    );
  });

  it('--role admin is sent; --json prints the envelope', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/addorganizationmemberpublic',
          check: (r) => expect(r.body).toEqual({ email: 'ada@example.com', role: 'admin' }),
          response: ok({ member: { ...member, role: 'admin' } }, 'r'),
        },
      ],
    });
    expect(await h.run(['organization', 'members', 'add', '--email', 'ada@example.com', '--role', 'admin', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual({ success: true, data: { member: { ...member, role: 'admin' } }, requestId: 'r' });
  });

  it.each([
    [[], /Missing required option '--email <email>'/],
    [['--email', 'ada'], /--email must be an e-mail address/],
    [['--email', 'ada@example.com', '--role', 'boss'], /--role must be one of owner, admin, member, got "boss"/],
  ])('%j → exit 2 before any request', async (argv, message) => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['organization', 'members', 'add', ...argv])).toBe(2);
    expect(h.stderr.text).toMatch(message);
  });

  it('MEMBER_EXISTS: exit 1, pointing to set-role', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: '/addorganizationmemberpublic', status: 409, response: fail('MEMBER_EXISTS', 'Already a member') }],
    });
    expect(await h.run(['organization', 'members', 'add', '--email', 'ada@example.com'])).toBe(1);
    expect(h.stderr.text).toContain(
      'Error: Already a member (MEMBER_EXISTS)\nChange the role of a member with `codika organization members set-role`.\n',
    );
  });

  it('ROLE_HIERARCHY (an admin adding an owner): exit 1', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/addorganizationmemberpublic',
          status: 403,
          response: fail('ROLE_HIERARCHY', 'Only an owner may grant the owner role'),
        },
      ],
    });
    expect(await h.run(['organization', 'members', 'add', '--email', 'ada@example.com', '--role', 'owner'])).toBe(1);
    expect(h.stderr.text).toContain('(ROLE_HIERARCHY)');
  });
});
