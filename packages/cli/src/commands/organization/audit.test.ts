import { describe, expect, it } from 'vitest';
import { parseDuration, parseWhen } from '../../durations.js';
import { harness, ok, oneJson, profileConfig } from '../../test-support/harness.js';

const URL = '/listauditeventspublic';
const NOW = new Date('2026-03-31T14:00:00.000Z');

function event(n: number, over: Record<string, unknown> = {}) {
  return {
    eventId: `0195f000-0000-7000-8000-00000000000${n}`,
    at: `2026-03-31T1${n}:00:00.000Z`,
    action: 'key.update',
    outcome: 'allowed',
    actor: { keyId: `key_${n}`, userId: 'u1', ip: '10.0.0.1', userAgent: 'codika' },
    target: { keyId: 'key_t' },
    before: null,
    after: null,
    requestId: `req_${n}`,
    ...over,
  };
}

describe('organization audit', () => {
  it('sends every filter as the server takes it; --since 7d is seven days before now', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: URL,
          check: (r) =>
            expect(r.body).toEqual({
              keyId: 'key_t',
              actorKeyId: 'key_a',
              actorUserId: 'user_1',
              action: ['key.update', 'key.revoke'],
              outcome: 'dry_run',
              since: '2026-03-24T14:00:00.000Z',
              until: '2026-03-31T12:00:00.000Z',
              limit: 20,
            }),
          response: ok({ events: [] }),
        },
      ],
    });
    const code = await h.run([
      'organization',
      'audit',
      '--key-id',
      'key_t',
      '--actor-key-id',
      'key_a',
      '--actor-user-id',
      'user_1',
      '--action',
      'key.update,key.revoke',
      '--outcome',
      'dry-run',
      '--since',
      '7d',
      '--until',
      '2026-03-31T12:00:00Z',
      '--limit',
      '20',
    ]);
    expect(code).toBe(0);
    expect(h.stdout.text).toBe('No audit events.\n');
  });

  it('prints one page as tab-separated lines and says on stderr how to continue', async () => {
    const denied = event(2, {
      outcome: 'denied',
      reason: 'SCOPE_ESCALATION',
      actor: { userId: 'u2' },
      target: { userId: 'u3' },
      action: 'member.update',
    });
    const h = harness({
      config: profileConfig(),
      expected: [{ url: URL, response: ok({ events: [event(3), denied], nextCursor: 'CUR2' }) }],
    });
    expect(await h.run(['organization', 'audit'])).toBe(0);
    expect(h.stdout.text.split('\n')).toEqual([
      'TIME\tACTION\tOUTCOME\tACTOR\tTARGET\tFROM\tREASON',
      '2026-03-31T13:00:00.000Z\tkey.update\tallowed\tkey_3\tkey_t\t10.0.0.1\t',
      '2026-03-31T12:00:00.000Z\tmember.update\tdenied\tuser u2\tuser u3\t-\tSCOPE_ESCALATION',
      '',
    ]);
    expect(h.stderr.text).toContain('--cursor CUR2');
    expect(h.fetch.seen).toHaveLength(1);
  });

  it('--all follows the cursors; --json prints one document with every event', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: URL,
          check: (r) => expect(r.body).toEqual({ limit: 2 }),
          response: ok({ events: [event(4), event(3)], nextCursor: 'C1' }),
        },
        {
          url: URL,
          check: (r) => expect(r.body).toEqual({ limit: 2, cursor: 'C1' }),
          response: ok({ events: [event(2), event(1)], nextCursor: 'C2' }),
        },
        { url: URL, check: (r) => expect(r.body).toEqual({ limit: 2, cursor: 'C2' }), response: ok({ events: [event(0)] }) },
      ],
    });
    expect(await h.run(['organization', 'audit', '--all', '--limit', '2', '--json'])).toBe(0);
    const doc = oneJson(h.stdout.text) as { success: boolean; data: { events: { eventId: string }[]; nextCursor?: string } };
    expect(doc.success).toBe(true);
    expect(doc.data.events.map((e) => e.eventId)).toEqual([4, 3, 2, 1, 0].map((n) => event(n).eventId));
    expect(doc.data).not.toHaveProperty('nextCursor');
    expect(h.stderr.text).toBe('');
  });

  it('--ndjson writes one event per line, page after page', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        { url: URL, response: ok({ events: [event(2)], nextCursor: 'C1' }) },
        { url: URL, check: (r) => expect(r.body).toEqual({ limit: 100, cursor: 'C1' }), response: ok({ events: [event(1)] }) },
      ],
    });
    expect(await h.run(['organization', 'audit', '--all', '--ndjson'])).toBe(0);
    const lines = h.stdout.text.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([event(2), event(1)]);
  });

  it('--json without --all keeps nextCursor; --cursor continues a page', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: URL,
          check: (r) => expect(r.body).toEqual({ limit: 100, cursor: 'C9' }),
          response: ok({ events: [event(1)], nextCursor: 'C10' }),
        },
      ],
    });
    expect(await h.run(['organization', 'audit', '--cursor', 'C9', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toMatchObject({ data: { nextCursor: 'C10' } });
  });

  it('refuses bad options before any request (exit 2)', async () => {
    for (const args of [
      ['--json', '--ndjson'],
      ['--action', 'key.explode'],
      ['--outcome', 'maybe'],
      ['--since', 'last tuesday'],
      ['--limit', '501'],
      ['--limit', '0'],
      ['--since', '1d', '--until', '2d'],
    ]) {
      const h = harness({ config: profileConfig() });
      expect(await h.run(['organization', 'audit', ...args]), args.join(' ')).toBe(2);
      expect(h.fetch.seen).toHaveLength(0);
    }
  });
});

describe('durations', () => {
  it('reads 30m, 12h, 7d, 2w and ISO dates and times', () => {
    expect(parseDuration('30m', '--x')).toBe(30 * 60_000);
    expect(parseWhen('7d', '--x', NOW)).toBe('2026-03-24T14:00:00.000Z');
    expect(parseWhen('2w', '--x', NOW)).toBe('2026-03-17T14:00:00.000Z');
    expect(parseWhen('2026-03-01', '--x', NOW)).toBe('2026-03-01T00:00:00.000Z');
    expect(parseWhen('2026-03-01T12:30', '--x', NOW)).toBe('2026-03-01T12:30:00.000Z');
    expect(parseWhen('2026-03-01T12:30:00+02:00', '--x', NOW)).toBe('2026-03-01T10:30:00.000Z');
    for (const bad of ['7', 'd7', '7y', '2026-13-45', 'now']) expect(() => parseWhen(bad, '--x', NOW), bad).toThrow(/--x/);
  });
});
