import { describe, expect, it } from 'vitest';
import { fail, harness, ok, oneJson, profileConfig } from '../../../test-support/harness.js';
import { MEMBERS } from './list.test.js';

const removed = { userId: 'usr_22', email: 'ada@example.com', revokedKeyIds: ['key_a', 'key_b', 'key_c'] };
const list = { url: '/listorganizationmemberspublic', response: ok({ members: MEMBERS }) };

describe('organization members remove', () => {
  it('on a terminal: asks first, naming the role and how many live keys will be revoked; then lists the revoked keys', async () => {
    const h = harness({
      config: profileConfig(),
      tty: { stdin: true },
      answers: [true],
      expected: [
        list,
        {
          url: '/removeorganizationmemberpublic',
          check: (r) => expect(r.body).toEqual({ email: 'ADA@example.com' }),
          response: ok(removed),
        },
      ],
    });
    expect(await h.run(['organization', 'members', 'remove', '--email', 'ADA@example.com'])).toBe(0);
    expect(h.prompts).toEqual([
      'Remove ada@example.com (admin) from the organization? Their 3 live API keys in it will be revoked at once. This cannot be undone.',
    ]);
    expect(h.stdout.text).toBe(
      '✓ Removed ada@example.com from the organization\n  User ID: usr_22\n  Revoked keys: 3 (key_a, key_b, key_c)\n',
    );
  });

  it('by user id; a member without keys is said to hold none; one key is singular', async () => {
    const members = [
      { ...MEMBERS[1]!, liveKeyCount: 0 },
      { ...MEMBERS[0]!, liveKeyCount: 1 },
    ];
    const h = harness({
      config: profileConfig(),
      tty: { stdin: true },
      answers: [true, true],
      expected: [
        { url: '/listorganizationmemberspublic', response: ok({ members }) },
        {
          url: '/removeorganizationmemberpublic',
          check: (r) => expect(r.body).toEqual({ userId: 'usr_22' }),
          response: ok({ ...removed, revokedKeyIds: [] }),
        },
        { url: '/listorganizationmemberspublic', response: ok({ members }) },
        { url: '/removeorganizationmemberpublic', response: ok({ ...removed, revokedKeyIds: ['k'] }) },
      ],
    });
    expect(await h.run(['organization', 'members', 'remove', '--user-id', 'usr_22'])).toBe(0);
    expect(h.prompts[0]).toContain('They hold no live API keys in it.');
    expect(h.stdout.text).toContain('  Revoked keys: none\n');
    expect(await h.run(['organization', 'members', 'remove', '--user-id', 'usr_1'])).toBe(0);
    expect(h.prompts[1]).toContain(
      'Remove owner@example.com (owner) from the organization? Their 1 live API key in it will be revoked',
    );
  });

  it('answering no: exit 1 (CANCELLED), nothing removed', async () => {
    const h = harness({ config: profileConfig(), tty: { stdin: true }, answers: [false], expected: [list] });
    expect(await h.run(['organization', 'members', 'remove', '--email', 'ada@example.com'])).toBe(1);
    expect(h.stderr.text).toContain('Cancelled: the member was not removed.');
  });

  it('a member the list does not show: still asks (without a count) and lets the server answer MEMBER_NOT_FOUND', async () => {
    const h = harness({
      config: profileConfig(),
      tty: { stdin: true },
      answers: [true],
      expected: [
        list,
        { url: '/removeorganizationmemberpublic', status: 404, response: fail('MEMBER_NOT_FOUND', 'No such member') },
      ],
    });
    expect(await h.run(['organization', 'members', 'remove', '--email', 'bob@example.com'])).toBe(1);
    expect(h.prompts[0]).toBe(
      'Remove bob@example.com from the organization? Their live API keys in it will be revoked at once. This cannot be undone.',
    );
    expect(h.stderr.text).toContain('(MEMBER_NOT_FOUND)');
  });

  it('--yes: no list, no question; --json prints the envelope with revokedKeyIds', async () => {
    const h = harness({
      config: profileConfig(),
      tty: { stdin: true },
      expected: [{ url: '/removeorganizationmemberpublic', response: ok(removed, 'r') }],
    });
    expect(await h.run(['organization', 'members', 'remove', '--email', 'ada@example.com', '--yes', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual({ success: true, data: removed, requestId: 'r' });
    expect(h.prompts).toEqual([]);
  });

  it('off a terminal without --yes: exit 2 before any request', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['organization', 'members', 'remove', '--email', 'ada@example.com'])).toBe(2);
    expect(h.stderr.text).toContain('pass --yes');
  });

  it('LAST_OWNER / SELF_ROLE_CHANGE from the server: exit 1', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/removeorganizationmemberpublic',
          status: 409,
          response: fail('LAST_OWNER', 'The organization must keep at least one owner'),
        },
      ],
    });
    expect(await h.run(['organization', 'members', 'remove', '--user-id', 'usr_1', '-y'])).toBe(1);
    expect(h.stderr.text).toContain('(LAST_OWNER)');
  });
});
