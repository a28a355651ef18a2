import { describe, expect, it } from 'vitest';
import { parseArgv } from '../../parse.js';
import { fail, harness, KEY, OTHER_KEY, ok, oneJson, profileConfig } from '../../test-support/harness.js';
import { parse, spec } from './update-key.js';

const KEY_ID = 'abc123';
const PATH = '/updateorganizationapikeypublic';
const BASE = 'http://127.0.0.1:9999';
const updated = (over: Record<string, unknown> = {}) => ({
  keyId: KEY_ID,
  name: 'Production Deploy Key',
  description: 'Used by CI/CD pipeline',
  scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
  updatedAt: '2026-03-31T14:00:00.000Z',
  ...over,
});
const SEED_LINES =
  '✓ API key updated\nKey ID: abc123\nName: Production Deploy Key\nScopes: deploy:use-case, instances:read, projects:read\n';

const parseLine = (argv: string[]) => parse(parseArgv(spec, argv));

describe('update-key parsing (no network)', () => {
  it('reads the seed options into a typed object', () => {
    expect(
      parseLine(['--key-id', KEY_ID, '--scopes', ' deploy:use-case , instances:read,,projects:read ', '--name', 'N']),
    ).toEqual({
      keyId: KEY_ID,
      scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
      name: 'N',
      dryRun: false,
      force: false,
      json: false,
      api: {},
    });
  });

  it('keeps --description "" (clears the description)', () => {
    expect(parseLine(['--key-id', KEY_ID, '--description', '']).description).toBe('');
  });

  it('reads the extensions and the API flags', () => {
    const o = parseLine([
      '--key-id=k',
      '--add-scopes',
      'skills:read',
      '--remove-scopes',
      'projects:read',
      '--dry-run',
      '--force',
      '--json',
      '--api-url',
      'http://h/',
      '--api-key',
      KEY,
      '--profile',
      'p',
    ]);
    expect(o).toMatchObject({
      keyId: 'k',
      addScopes: ['skills:read'],
      removeScopes: ['projects:read'],
      dryRun: true,
      force: true,
      json: true,
      api: { apiUrl: 'http://h/', apiKey: KEY, profile: 'p' },
    });
  });

  it.each([
    [[], /Missing required option '--key-id <id>'/],
    [['--key-id', KEY_ID], /at least one of --scopes, --name, or --description must be provided/],
    [['--key-id', KEY_ID, '--scopes', ' , '], /--scopes is empty/],
    [['--key-id', KEY_ID, '--add-scopes', ','], /--add-scopes is empty/],
    [['--key-id', KEY_ID, '--scopes', 'a', '--add-scopes', 'b'], /cannot be combined/],
    [['--key-id', KEY_ID, '--scopes', 'a', '--remove-scopes', 'b'], /cannot be combined/],
    [['--key-id', KEY_ID, '--name', '  '], /--name must not be empty/],
    [['--key-id', KEY_ID, '--name', 'x'.repeat(101)], /at most 100/],
    [['--key-id', KEY_ID, '--name', 'a\u0007b'], /--name must not contain control characters/],
    [['--key-id', KEY_ID, '--description', 'x'.repeat(501)], /--description must be at most 500 characters/],
    [['--key-id', '', '--name', 'x'], /--key-id must not be empty/],
    [['--key-id'], /argument missing/],
    [['--key-id', '--json', '--name', 'x'], /'--key-id <id>' argument missing/],
    [['--key-id', KEY_ID, '--bogus'], /Unknown option '--bogus'/],
    [['--key-id', KEY_ID, '--nme', 'x'], /Did you mean --name\?/],
    [['--key-id', KEY_ID, '--name', 'x', 'extra'], /Unexpected argument/],
  ])('%j is a validation error', (argv, message) => {
    expect(() => parseLine(argv)).toThrow(message);
  });
});

describe('update-key exit 2 before any request', () => {
  it.each([[[]], [['--key-id', KEY_ID]], [['--bogus']], [['--key-id']], [['--key-id', KEY_ID, '--scopes', ' , ']]])(
    '%j → exit 2, message on stderr, nothing on stdout',
    async (argv) => {
      const h = harness({ config: profileConfig() });
      expect(await h.run(['organization', 'update-key', ...argv])).toBe(2);
      expect(h.stdout.text).toBe('');
      expect(h.stderr.text).toMatch(/^Error: /);
      h.fetch.assertAllUsed();
    },
  );

  it.each([[[]], [['--key-id', KEY_ID]], [['--bogus']], [['--key-id']]])(
    '%j with --json → exactly one VALIDATION_ERROR document on stdout',
    async (argv) => {
      const h = harness({ config: profileConfig() });
      expect(await h.run(['organization', 'update-key', ...argv, '--json'])).toBe(2);
      const doc = oneJson(h.stdout.text) as { success: boolean; error: { code: string; message: string } };
      expect(doc.success).toBe(false);
      expect(doc.error.code).toBe('VALIDATION_ERROR');
      expect(typeof doc.error.message).toBe('string');
      expect(Object.keys(doc)).toEqual(['success', 'error']);
      expect(h.stderr.text).toBe('');
    },
  );

  it('no API key anywhere → exit 2 MISSING_API_KEY', async () => {
    const h = harness();
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--json'])).toBe(2);
    expect(oneJson(h.stdout.text)).toMatchObject({ success: false, error: { code: 'MISSING_API_KEY' } });
  });

  it.each([
    ['bad prefix', 'sk_live_abcdefghijklmnopqrstuvwxyz012345'],
    ['bad checksum', `${KEY.slice(0, -1)}${KEY.endsWith('A') ? 'B' : 'A'}`],
    ['truncated', KEY.slice(0, 20)],
  ])('malformed key (%s) → exit 2 before any request', async (_why, key) => {
    const h = harness();
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--api-key', key])).toBe(2);
    expect(h.stderr.text).toMatch(/malformed/);
    expect(h.stderr.text).not.toContain(key);
    expect(h.fetch.seen).toEqual([]);
  });

  it('unknown --profile → exit 2 listing the profiles', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--profile', 'nope'])).toBe(2);
    expect(h.stderr.text).toContain('Unknown profile "nope". Available profiles: acme-corp.');
  });

  it('a corrupt config → exit 2 naming the file', async () => {
    const h = harness();
    h.config.raw = '{ not json';
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(2);
    expect(h.stderr.text).toContain(h.config.path);
    expect(h.config.writes).toBe(0);
  });
});

describe('update-key against a fake server', () => {
  it('seed example "Update scopes": POST with the key header, the seed output exactly', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: `${BASE}${PATH}`,
          check: (req) => {
            expect(req.method).toBe('POST');
            expect(req.headers['x-process-manager-key']).toBe(KEY);
            expect(req.headers['content-type']).toBe('application/json');
            expect(req.body).toEqual({ keyId: KEY_ID, scopes: ['deploy:use-case', 'instances:read', 'projects:read'] });
          },
          response: ok(updated()),
        },
      ],
    });
    const code = await h.run([
      'organization',
      'update-key',
      '--key-id',
      KEY_ID,
      '--scopes',
      'deploy:use-case,instances:read,projects:read',
    ]);
    expect(code).toBe(0);
    expect(h.stdout.text).toBe(SEED_LINES);
    expect(h.stderr.text).toBe('');
    h.fetch.assertAllUsed();
  });

  it('seed example "Rename a key" sends only the name', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          check: (r) => expect(r.body).toEqual({ keyId: KEY_ID, name: 'Production Deploy Key' }),
          response: ok(updated()),
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'Production Deploy Key'])).toBe(0);
    expect(h.stdout.text).toBe(SEED_LINES);
    h.fetch.assertAllUsed();
  });

  it('seed example "Update description" shows the description after the seed lines', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          check: (r) => expect(r.body).toEqual({ keyId: KEY_ID, description: 'Used by CI/CD pipeline' }),
          response: ok(updated()),
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--description', 'Used by CI/CD pipeline'])).toBe(0);
    expect(h.stdout.text).toBe(`${SEED_LINES}Description: Used by CI/CD pipeline\n`);
  });

  it('--description "" sends description: "" (clears it)', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          check: (r) => expect(r.body).toEqual({ keyId: KEY_ID, description: '' }),
          response: ok(updated({ description: '' })),
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--description', ''])).toBe(0);
    expect(h.stdout.text).toBe(`${SEED_LINES}Description: (none)\n`);
  });

  it('seed example "Multiple fields at once"', async () => {
    const data = updated({ name: 'Full Access', scopes: ['deploy:use-case', 'instances:manage', 'instances:read'] });
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          check: (r) =>
            expect(r.body).toEqual({
              keyId: KEY_ID,
              scopes: ['deploy:use-case', 'instances:read', 'instances:manage'],
              name: 'Full Access',
            }),
          response: ok(data),
        },
      ],
    });
    const argv = ['--key-id', KEY_ID, '--name', 'Full Access', '--scopes', 'deploy:use-case,instances:read,instances:manage'];
    expect(await h.run(['organization', 'update-key', ...argv])).toBe(0);
    expect(h.stdout.text).toBe(
      '✓ API key updated\nKey ID: abc123\nName: Full Access\nScopes: deploy:use-case, instances:manage, instances:read\n',
    );
  });

  it('seed example "JSON output" prints the envelope as received', async () => {
    const envelope = ok(updated({ scopes: ['deploy:use-case'] }), '019d312f-aaaa');
    const h = harness({ config: profileConfig(), expected: [{ url: PATH, response: envelope }] });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--scopes', 'deploy:use-case', '--json'])).toBe(0);
    expect(oneJson(h.stdout.text)).toEqual(envelope);
    expect(h.stdout.text).toBe(`${JSON.stringify(envelope, null, 2)}\n`);
  });

  it('unknown scope: sent to the server; its INVALID_SCOPES message is printed, exit 1', async () => {
    const message =
      'Unknown scope "project:read" (did you mean projects:read?). Valid scopes: deploy:use-case, projects:create, projects:read, workflows:trigger, executions:read, instances:read, instances:manage, skills:read, integrations:manage, api-keys:manage';
    const envelope = fail('INVALID_SCOPES', message, { invalid: ['project:read'] });
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          check: (r) => expect(r.body).toEqual({ keyId: KEY_ID, scopes: ['project:read'] }),
          status: 400,
          response: envelope,
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--scopes', 'project:read'])).toBe(1);
    expect(h.stdout.text).toBe('');
    expect(h.stderr.text).toContain(`Error: ${message} (INVALID_SCOPES)`);
    expect(h.stderr.text).toContain('did you mean projects:read?');

    const j = harness({ config: profileConfig(), expected: [{ url: PATH, status: 400, response: envelope }] });
    expect(await j.run(['organization', 'update-key', '--key-id', KEY_ID, '--scopes', 'project:read', '--json'])).toBe(1);
    expect(oneJson(j.stdout.text)).toEqual(envelope);
    expect(j.stderr.text).toBe('');
  });

  it('a terse INVALID_SCOPES message gets the suggestion and the valid list from details', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: PATH, status: 400, response: fail('INVALID_SCOPES', 'Invalid scopes', { invalid: ['project:read'] }) }],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--scopes', 'project:read'])).toBe(1);
    expect(h.stderr.text).toContain('did you mean projects:read?');
    expect(h.stderr.text).toContain('Valid scopes: deploy:use-case,');
  });

  it('KEY_NOT_FOUND → exit 1 with the request id and a hint', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: PATH, status: 404, response: fail('KEY_NOT_FOUND', 'API key not found') }],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', 'nope', '--name', 'x'])).toBe(1);
    expect(h.stderr.text).toBe(
      'Error: API key not found (KEY_NOT_FOUND)\nList the key ids with `codika organization list-keys`.\nRequest ID: 019d312f-0000-7000-8000-00000000000f\n',
    );
  });

  it('shows added and removed scopes and the rename when the server reports previous values', async () => {
    const data = updated({
      previous: { name: 'CI Key', description: 'Used by CI/CD pipeline', scopes: ['deploy:use-case', 'skills:read'] },
    });
    const h = harness({ config: profileConfig(), expected: [{ url: PATH, response: ok(data) }] });
    expect(
      await h.run([
        'organization',
        'update-key',
        '--key-id',
        KEY_ID,
        '--name',
        'Production Deploy Key',
        '--scopes',
        'deploy:use-case,instances:read,projects:read',
      ]),
    ).toBe(0);
    expect(h.stdout.text).toBe(
      `${SEED_LINES}Changes:\n  + instances:read\n  + projects:read\n  - skills:read\n  Name: CI Key → Production Deploy Key\n`,
    );
  });

  it('--add-scopes / --remove-scopes are sent as addScopes / removeScopes', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          check: (r) => expect(r.body).toEqual({ keyId: KEY_ID, addScopes: ['skills:read'], removeScopes: ['projects:read'] }),
          response: ok(
            updated({
              previous: { name: 'Production Deploy Key', description: '', scopes: ['projects:read'] },
              scopes: ['skills:read'],
            }),
          ),
        },
      ],
    });
    expect(
      await h.run([
        'organization',
        'update-key',
        '--key-id',
        KEY_ID,
        '--add-scopes',
        'skills:read',
        '--remove-scopes',
        'projects:read',
      ]),
    ).toBe(0);
    expect(h.stdout.text).toContain(
      'Changes:\n  + skills:read\n  - projects:read\n  Description: (none) → "Used by CI/CD pipeline"\n',
    );
  });

  it('--dry-run sends dryRun: true and prints what would change', async () => {
    const data = updated({
      dryRun: true,
      previous: { name: 'Production Deploy Key', description: 'Used by CI/CD pipeline', scopes: ['deploy:use-case'] },
    });
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          check: (r) => expect(r.body).toEqual({ keyId: KEY_ID, addScopes: ['instances:read', 'projects:read'], dryRun: true }),
          response: ok(data),
        },
      ],
    });
    expect(
      await h.run([
        'organization',
        'update-key',
        '--key-id',
        KEY_ID,
        '--add-scopes',
        'instances:read,projects:read',
        '--dry-run',
      ]),
    ).toBe(0);
    expect(h.stdout.text).toBe(
      'Dry run: no changes made\nKey ID: abc123\nName: Production Deploy Key\nScopes: deploy:use-case, instances:read, projects:read\nWould change:\n  + instances:read\n  + projects:read\n',
    );
  });

  it('SELF_LOCKOUT → exit 1 and tells the user about --force; --force sends force: true', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          status: 409,
          response: fail('SELF_LOCKOUT', 'This update would remove api-keys:manage from the API key making the call'),
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--remove-scopes', 'api-keys:manage'])).toBe(1);
    expect(h.stderr.text).toContain('(SELF_LOCKOUT)');
    expect(h.stderr.text).toContain('Pass --force');

    const f = harness({
      config: profileConfig(),
      expected: [{ url: PATH, check: (r) => expect(r.body).toMatchObject({ force: true }), response: ok(updated()) }],
    });
    expect(await f.run(['organization', 'update-key', '--key-id', KEY_ID, '--remove-scopes', 'api-keys:manage', '--force'])).toBe(
      0,
    );
  });
});

describe('update-key: where the key and the URL come from', () => {
  const run = async (argv: string[], env: Record<string, string>, url: string, key: string) => {
    const h = harness({
      config: profileConfig(),
      env,
      expected: [{ url, check: (r) => expect(r.headers['x-process-manager-key']).toBe(key), response: ok(updated()) }],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', ...argv])).toBe(0);
    h.fetch.assertAllUsed();
  };
  it('--api-key beats CODIKA_API_KEY beats the profile', async () => {
    await run(['--api-key', OTHER_KEY], { CODIKA_API_KEY: KEY }, `${BASE}${PATH}`, OTHER_KEY);
    await run([], { CODIKA_API_KEY: OTHER_KEY }, `${BASE}${PATH}`, OTHER_KEY);
    await run([], {}, `${BASE}${PATH}`, KEY);
  });
  it('--api-url is the full endpoint; a bare origin gets the path; CODIKA_BASE_URL beats the profile', async () => {
    await run(['--api-url', 'http://other:1/custom/endpoint'], {}, 'http://other:1/custom/endpoint', KEY);
    await run(['--api-url', 'http://other:1'], {}, `http://other:1${PATH}`, KEY);
    await run(['--api-url', 'http://other:1/'], { CODIKA_BASE_URL: 'http://env:2' }, `http://other:1${PATH}`, KEY);
    await run([], { CODIKA_BASE_URL: 'http://env:2/' }, `http://env:2${PATH}`, KEY);
  });
  it('without a profile baseUrl the default is the local server', async () => {
    const h = harness({
      env: { CODIKA_API_KEY: KEY },
      expected: [{ url: `http://127.0.0.1:8787${PATH}`, response: ok(updated()) }],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(0);
  });
  it('a bad --api-url is exit 2', async () => {
    const h = harness({ config: profileConfig() });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--api-url', 'ftp://x'])).toBe(2);
  });
});

describe('update-key: network and bad answers (exit 1)', () => {
  const refused = Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9999'), { code: 'ECONNREFUSED' }),
  });

  it('connection refused names the URL and the cause', async () => {
    const h = harness({ config: profileConfig(), expected: [{ url: PATH, reject: refused }] });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(1);
    expect(h.stderr.text).toContain(`Error: Cannot reach ${BASE}${PATH}: connection refused`);
    expect(h.stderr.text).not.toContain('fetch failed');
  });

  it('with --json a network failure is one NETWORK_ERROR document', async () => {
    const h = harness({ config: profileConfig(), expected: [{ url: PATH, reject: refused }] });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--json'])).toBe(1);
    expect(oneJson(h.stdout.text)).toEqual({
      success: false,
      error: { code: 'NETWORK_ERROR', message: expect.stringContaining('connection refused') },
    });
  });

  it('DNS and TLS failures are named', async () => {
    const dns = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND nohost'), { code: 'ENOTFOUND', hostname: 'nohost' }),
    });
    const tls = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    });
    for (const [err, text] of [
      [dns, 'DNS lookup failed: host "nohost" not found'],
      [tls, 'TLS error: self-signed certificate'],
    ] as const) {
      const h = harness({ config: profileConfig(), expected: [{ url: PATH, reject: err }] });
      expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(1);
      expect(h.stderr.text).toContain(text);
    }
  });

  it('times out after CODIKA_TIMEOUT seconds', async () => {
    const h = harness({ config: profileConfig(), env: { CODIKA_TIMEOUT: '0.05' } });
    h.deps.fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(1);
    expect(h.stderr.text).toContain('timed out after 0.05 s');
  });

  it('a bad CODIKA_TIMEOUT is exit 2', async () => {
    const h = harness({ config: profileConfig(), env: { CODIKA_TIMEOUT: 'soon' } });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(2);
  });

  it('a non-JSON answer is reported with HTTP status and request id', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [
        {
          url: PATH,
          status: 502,
          response: '<html>Bad Gateway</html>',
          headers: { 'content-type': 'text/html', 'x-request-id': 'rid-502' },
        },
      ],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(1);
    expect(h.stderr.text).toContain('HTTP 502');
    expect(h.stderr.text).toContain('rid-502');
    const j = harness({
      config: profileConfig(),
      expected: [{ url: PATH, status: 502, response: '<html>Bad Gateway</html>', headers: { 'x-request-id': 'rid-502' } }],
    });
    expect(await j.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x', '--json'])).toBe(1);
    expect(oneJson(j.stdout.text)).toMatchObject({ success: false, error: { code: 'INVALID_RESPONSE' }, requestId: 'rid-502' });
  });

  it('a 5xx envelope is reported with HTTP status and request id', async () => {
    const h = harness({
      config: profileConfig(),
      expected: [{ url: PATH, status: 500, response: fail('INTERNAL', 'Internal server error') }],
    });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(1);
    expect(h.stderr.text).toContain(
      'Internal server error (HTTP 500, request id 019d312f-0000-7000-8000-00000000000f) (INTERNAL)',
    );
  });
});

describe('update-key: terminal behaviour', () => {
  const run = async (tty: { stdout?: boolean; stderr?: boolean }, env: Record<string, string> = {}) => {
    const h = harness({ config: profileConfig(), env, tty, expected: [{ url: PATH, response: ok(updated()) }] });
    expect(await h.run(['organization', 'update-key', '--key-id', KEY_ID, '--name', 'x'])).toBe(0);
    return h;
  };
  it('✓ is green on a colour terminal only', async () => {
    expect((await run({ stdout: true })).stdout.text).toContain('\x1b[32m✓\x1b[39m API key updated');
    expect((await run({ stdout: true }, { NO_COLOR: '1' })).stdout.text).toBe(SEED_LINES);
    expect((await run({ stdout: true }, { TERM: 'dumb' })).stdout.text).toBe(SEED_LINES);
    expect((await run({ stdout: false }, { FORCE_COLOR: '1' })).stdout.text).toContain('\x1b[32m✓');
    expect((await run({ stdout: false })).stdout.text).toBe(SEED_LINES);
  });
  it('progress goes to stderr only when stderr is a terminal, and is erased', async () => {
    expect((await run({ stderr: false })).stderr.text).toBe('');
    const h = await run({ stderr: true });
    expect(h.stderr.text).toBe('Updating API key…\r\x1b[2K');
    expect(h.stdout.text).toBe(SEED_LINES);
  });
});

describe('update-key --help', () => {
  it('shows the seed options, the extensions and the scopes with descriptions', async () => {
    const h = harness();
    expect(await h.run(['organization', 'update-key', '--help'])).toBe(0);
    const text = h.stdout.text;
    for (const [flag, desc] of <[string, string][]>[
      ['--key-id <id>', 'Key ID to update (required)'],
      ['--scopes <scopes>', 'New comma-separated scopes (replaces existing)'],
      ['--name <name>', 'New key name'],
      ['--description <desc>', 'New key description'],
      ['--api-url <url>', 'Override API URL'],
      ['--api-key <key>', 'Override API key'],
      ['--profile <name>', 'Use a specific profile instead of the active one'],
      ['--json', 'Output as JSON'],
      ['--add-scopes <scopes>', ''],
      ['--remove-scopes <scopes>', ''],
      ['--dry-run', ''],
      ['--force', ''],
    ]) {
      expect(text).toMatch(new RegExp(`\\n  ${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +${desc.replace(/[()]/g, '\\$&')}`));
    }
    expect(text).toContain('At least one of --scopes, --name, or --description must be provided.');
    expect(text).toContain('When --scopes is provided, it replaces the existing scopes entirely.');
    expect(text).toMatch(/deploy:use-case +Deploy use cases, upload documents, and read metadata/);
    expect(text).toMatch(/api-keys:manage +Create and manage organization API keys/);
    h.fetch.assertAllUsed();
  });
});
