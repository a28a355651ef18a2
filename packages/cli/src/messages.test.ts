/**
 * Messages that name the thing (issue 16): each message a user reads after a mistake says what
 * was wrong with what, once, and what to do.
 */
import { describe, expect, it } from 'vitest';
import { fail, harness, KEY, ok, profileConfig } from './test-support/harness.js';

const UPDATE = '/updateorganizationapikeypublic';
/** An SGR escape code (colour, bold, reset), its number captured. */
const SGR = new RegExp(`${String.fromCharCode(27)}\\[(\\d+)m`, 'g');
const KEY_ID = 'k-1';
const updated = (over: Record<string, unknown> = {}) => ({
  keyId: KEY_ID,
  name: 'Owner key',
  description: '',
  scopes: ['api-keys:manage', 'projects:read', 'instances:read'],
  updatedAt: '2026-03-31T14:00:00.000Z',
  ...over,
});

describe('messages that name the thing', () => {
  it('SCOPE_ESCALATION names the scopes the calling key lacks (details.notHeld)', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: UPDATE,
          status: 403,
          response: fail('SCOPE_ESCALATION', 'Cannot grant scopes that the calling API key does not hold', {
            notHeld: ['instances:manage', 'skills:read'],
          }),
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--add-scopes', 'instances:manage,skills:read'])).toBe(
      1,
    );
    expect(h.stderr.text).toContain('(SCOPE_ESCALATION)');
    expect(h.stderr.text).toContain('The key you are calling with does not hold instances:manage, skills:read');
  });

  it('the self-lockout message says to pass --force once', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: UPDATE,
          status: 409,
          response: fail(
            'SELF_LOCKOUT',
            'This update would remove api-keys:manage from the API key making the call; pass force to do it anyway',
          ),
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--remove-scopes', 'api-keys:manage'])).toBe(1);
    expect(h.stderr.text).toContain(
      'Error: This update would remove api-keys:manage from the API key making the call (SELF_LOCKOUT)\n',
    );
    expect(h.stderr.text.match(/force/gi)).toHaveLength(1);
    expect(h.stderr.text.match(/remove api-keys:manage/g)).toHaveLength(1);
  });

  it('a wrong --api-url (a path that is no endpoint) says it takes the full endpoint URL and names the expected one', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: 'http://127.0.0.1:9999/api', status: 404, response: fail('NOT_FOUND', 'Route not found') }],
    });
    const argv = ['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--api-url', 'http://127.0.0.1:9999/api'];
    expect(await h.run(argv)).toBe(1);
    expect(h.stderr.text).toContain(
      "--api-url takes the full URL of this command's endpoint: expected http://127.0.0.1:9999/updateorganizationapikeypublic (got http://127.0.0.1:9999/api)",
    );
  });

  it('a wrong --api-url (another operation) and a non-codika 404 get the same hint; the right endpoint never does', async () => {
    const other = harness({
      config: profileConfig(),
      expected: [
        {
          url: 'http://127.0.0.1:9999/createorganizationapikeypublic',
          status: 400,
          response: fail('VALIDATION_ERROR', 'Invalid request'),
        },
      ],
    });
    const argv = (url: string) => ['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--api-url', url];
    expect(await other.run(argv('http://127.0.0.1:9999/createorganizationapikeypublic'))).toBe(1);
    expect(other.stderr.text).toContain('expected http://127.0.0.1:9999/updateorganizationapikeypublic');

    const html = harness({
      config: profileConfig(),
      expected: [{ url: 'http://127.0.0.1:9999/nope', status: 404, response: '<html>Not Found</html>' }],
    });
    expect(await html.run(argv('http://127.0.0.1:9999/nope'))).toBe(1);
    expect(html.stderr.text).toContain('expected http://127.0.0.1:9999/updateorganizationapikeypublic');

    const right = harness({
      config: profileConfig(),
      expected: [{ url: `http://127.0.0.1:9999${UPDATE}`, status: 404, response: fail('KEY_NOT_FOUND', 'API key not found') }],
    });
    expect(await right.run(argv(`http://127.0.0.1:9999${UPDATE}`))).toBe(1);
    expect(right.stderr.text).not.toContain('--api-url takes');
  });

  it('a malformed short key is named by its source and length, without "(the key)"', async () => {
    const h = harness();
    expect(await h.run(['whoami', '--api-key', 'abc'])).toBe(2);
    expect(h.stderr.text).toContain('The API key from --api-key is malformed');
    expect(h.stderr.text).toContain('got 3 characters');
    expect(h.stderr.text).not.toContain('(the key)');
  });

  it('codika use aligns its columns for profiles the public CLI wrote (no keyPrefix, other lengths)', async () => {
    const config = profileConfig();
    config.profiles['public-written'] = {
      apiKey: KEY,
      type: 'org-api-key',
      organizationId: 'org_2',
      organizationName: 'A much longer organization name',
      keyName: 'k',
      scopes: ['projects:read'],
      createdAt: '2026-03-01T10:00:00.000Z',
    } as never;
    const h = harness({ config });
    expect(await h.run(['use'])).toBe(0);
    const lines = h.stdout.text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(h.stdout.text).not.toContain('undefined');
    const prefixColumn = lines.map((l) => l.indexOf(`${KEY.slice(0, 8)}…`));
    expect(prefixColumn[0]).toBeGreaterThan(0);
    expect(prefixColumn[0]).toBe(prefixColumn[1]);
  });

  it("update-key of the active profile's own key: the profile's saved name and scopes follow", async () => {
    const after = updated({ name: 'Renamed', previous: { name: 'Owner key', description: '', scopes: ['api-keys:manage'] } });
    const h = harness({
      config: profileConfig(),
      expected: [
        { url: UPDATE, response: ok(after) },
        {
          url: '/verifyapikey',
          response: ok({
            type: 'org-api-key',
            keyId: KEY_ID,
            keyName: 'Renamed',
            keyPrefix: KEY.slice(0, 8),
            scopes: after.scopes,
            organizationId: 'org_1',
            organizationName: 'Acme Corp',
            createdAt: '2026-03-01T10:00:00.000Z',
          }),
        },
      ],
    });
    expect(
      await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'Renamed', '--add-scopes', 'instances:read']),
    ).toBe(0);
    expect(h.config.data?.profiles['acme-corp']).toMatchObject({ keyName: 'Renamed', scopes: after.scopes });

    // Another key (another name): no extra request, the profile stays.
    const other = harness({
      config: profileConfig(),
      expected: [
        {
          url: UPDATE,
          response: ok(updated({ keyId: 'k-2', name: 'CI', previous: { name: 'CI', description: '', scopes: [] } })),
        },
      ],
    });
    expect(await other.run(['organization', 'update-key', '--key-id', 'k-2', '--scopes', 'projects:read'])).toBe(0);
    expect(other.config.data?.profiles['acme-corp']).toMatchObject({ keyName: 'Owner key' });
  });

  it('colour codes are reset before each newline', async () => {
    const env = { FORCE_COLOR: '1' };
    const after = updated({ previous: { name: 'Old', description: '', scopes: ['api-keys:manage', 'skills:read'] } });
    const a = harness({
      config: profileConfig(),
      env,
      tty: { stdout: true, stderr: true },
      expected: [{ url: UPDATE, response: ok(after) }],
    });
    expect(await a.run(['organization', 'update-key', '--key-id', 'k-9', '--scopes', 'projects:read'])).toBe(0);
    const b = harness({ config: profileConfig(), env, tty: { stdout: true, stderr: true } });
    expect(await b.run(['use'])).toBe(0);
    const c = harness({
      config: profileConfig(),
      env,
      tty: { stdout: true, stderr: true },
      expected: [{ url: UPDATE, status: 404, response: fail('KEY_NOT_FOUND', 'API key not found') }],
    });
    expect(await c.run(['organization', 'update-key', '--key-id', 'k-9', '--name', 'x'])).toBe(1);
    const text = a.stdout.text + b.stdout.text + c.stderr.text;
    expect(text).toContain('\x1b[');
    for (const l of text.split('\n')) {
      // The last escape code of every line closes what it opened (a reset code: 0, 22, 39).
      const codes = [...l.matchAll(SGR)].map((m) => Number(m[1]));
      if (codes.length > 0) expect([0, 22, 39], JSON.stringify(l)).toContain(codes.at(-1));
    }
  });
});
