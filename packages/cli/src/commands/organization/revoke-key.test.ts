import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../parse.js';
import { fail, harness, ok, oneJson, profileConfig } from '../../test-support/harness.js';
import { parse, spec } from './revoke-key.js';

const revoked = { keyId: 'key_2', revokedAt: '2026-03-31T14:00:00.000Z' };

describe('revoke-key', () => {
  it('parses', () => {
    expect(parse(parseArgv(spec, ['--key-id', 'k', '-y']))).toEqual({ keyId: 'k', yes: true, json: false, api: {} });
    expect(() => parse(parseArgv(spec, []))).toThrow(/--key-id/);
  });
  it('--yes revokes without asking', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: '/revokeorganizationapikeypublic',
          check: (r) => expect(r.body).toEqual({ keyId: 'key_2' }),
          response: ok(revoked),
        },
      ],
    });
    expect(await h.run(['organization', 'revoke-key', '--key-id', 'key_2', '--yes'])).toBe(0);
    expect(h.stdout.text).toBe('✓ API key revoked\nKey ID: key_2\nRevoked at: 2026-03-31T14:00:00.000Z\n');
  });
  it('asks on a terminal; "no" cancels with exit 1 and no request', async () => {
    const h = harness({ config: profileConfig(), tty: { stdin: true }, answers: [false] });
    expect(await h.run(['organization', 'revoke-key', '--key-id', 'key_2'])).toBe(1);
    expect(h.prompts[0]).toContain('Revoke API key key_2?');
    expect(h.stderr.text).toContain('Cancelled');
    const y = harness({
      config: profileConfig(),
      tty: { stdin: true },
      answers: [true],
      expected: [{ url: '/revokeorganizationapikeypublic', response: ok(revoked) }],
    });
    expect(await y.run(['organization', 'revoke-key', '--key-id', 'key_2'])).toBe(0);
  });
  it('refuses without --yes when stdin is not a terminal (exit 2)', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['organization', 'revoke-key', '--key-id', 'key_2', '--json'])).toBe(2);
    expect(oneJson(h.stdout.text)).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('--yes') },
    });
  });
  it('--json prints the envelope; not found → exit 1', async () => {
    const h = harness({ config: profileConfig(), expected: [{ url: '/revokeorganizationapikeypublic', response: ok(revoked) }] });
    expect(await h.run(['organization', 'revoke-key', '--key-id', 'key_2', '--yes', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual(ok(revoked));
    const n = harness({
      config: profileConfig(),
      expected: [{ url: '/revokeorganizationapikeypublic', status: 404, response: fail('KEY_NOT_FOUND', 'API key not found') }],
    });
    expect(await n.run(['organization', 'revoke-key', '--key-id', 'x', '--yes'])).toBe(1);
  });
});
