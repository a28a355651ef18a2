/**
 * End to end: the real server (SQLite in a temp dir, port 0, first-run bootstrap) and the real
 * `codika` binary, spawned with its config in a temp XDG_CONFIG_HOME. Needs `npm run build` first
 * (the root `npm test` does it).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER = join(root, 'packages/server/dist/bin.js');
// The binary as shipped: package.json's bin (the bundle npm run build writes).
const CLI = join(
  root,
  'packages/cli',
  (JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { bin: { codika: string } }).bin.codika,
);

let dir: string;
let server: ChildProcess;
let url: string;
let ownerKey: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function codika(args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: join(dir, 'xdg'), ...env },
    input: '',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(r: Result): Record<string, unknown> {
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** Asserts a success, with nothing on stderr. */
function ok(r: Result): Result {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r;
}

beforeAll(async () => {
  for (const bin of [SERVER, CLI]) {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`npm run build\` first`);
  }
  dir = await mkdtemp(join(tmpdir(), 'codika-e2e-'));
  server = spawn(process.execPath, [SERVER, 'start', '--port', '0', '--db', join(dir, 'codika.db'), '--first-run-bootstrap'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  server.stdout?.on('data', (c) => {
    out += c;
  });
  server.stderr?.on('data', (c) => {
    out += c;
  });
  const deadline = Date.now() + 20_000;
  while (!/codika-server listening on (http:\/\/\S+)/.test(out)) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /codika-server listening on (http:\/\/\S+)/.exec(out)![1]!;
  ownerKey = (await readFile(join(dir, 'owner-key'), 'utf8')).trim();
});

afterAll(async () => {
  server?.kill('SIGTERM');
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('codika against a real server', () => {
  let keyId = '';
  let ownerProfile = '';
  const update = (...args: string[]) => codika(['organization', 'update-key', '--key-id', keyId, ...args]);

  it('help and version start without a server or a config', () => {
    const h = ok(codika(['organization', 'update-key', '--help']));
    expect(h.stdout).toContain('--key-id <id>');
    expect(h.stdout).toContain('api-keys:manage');
    expect(ok(codika(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('whoami before login: not logged in, exit 2', () => {
    const r = codika(['whoami', '--json']);
    expect(r.code).toBe(2);
    expect(json(r)).toEqual({ loggedIn: false });
  });

  it('login: no key and no terminal → exit 2; a malformed key → exit 2; the owner key → profile saved 0600', async () => {
    const none = codika(['login', '--base-url', url]);
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('pass --api-key');

    const bad = codika([
      'login',
      '--api-key',
      `${ownerKey.slice(0, -1)}${ownerKey.endsWith('x') ? 'y' : 'x'}`,
      '--base-url',
      url,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('checksum');

    const r = ok(codika(['login', '--api-key', ownerKey, '--base-url', url]));
    expect(r.stdout).toMatch(/^✓ Logged in to .+ as "Owner key" \(cko_.{4}…\)\n/);
    expect(r.stdout).not.toContain(ownerKey);
    ownerProfile = /Profile: (\S+) \(active\)/.exec(r.stdout)![1]!;
    const path = join(dir, 'xdg', 'codika', 'config.json');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'xdg', 'codika'))).mode & 0o777).toBe(0o700);
    const config = JSON.parse(await readFile(path, 'utf8'));
    expect(config.activeProfile).toBe(ownerProfile);
    expect(config.profiles[ownerProfile]).toMatchObject({ apiKey: ownerKey, type: 'org-api-key', baseUrl: url });
  });

  it('whoami: fresh from the server', () => {
    const r = ok(codika(['whoami']));
    expect(r.stdout).toContain('Key: Owner key (cko_');
    expect(r.stdout).toContain(`Source: profile "${ownerProfile}"`);
    const j = json(ok(codika(['whoami', '--json'])));
    expect(j).toMatchObject({
      loggedIn: true,
      type: 'org-api-key',
      keyName: 'Owner key',
      source: `profile "${ownerProfile}"`,
      profileName: ownerProfile,
    });
    expect((j.scopes as string[]).length).toBe(10);
  });

  it('create-key: prints the raw key once, saves it as the active profile', () => {
    const r = codika(['organization', 'create-key', '--name', 'CI Deploy Key', '--scopes', 'deploy:use-case,projects:read']);
    expect(r.code).toBe(0);
    const m =
      /^✓ API key created\nKey ID: (\S+)\nName: CI Deploy Key\nScopes: deploy:use-case, projects:read\nAPI key: (cko_\w{28})\n$/.exec(
        r.stdout,
      );
    expect(m, r.stdout).not.toBeNull();
    keyId = m![1]!;
    expect(r.stderr).toContain('it will not be shown again');
    expect(r.stderr).toContain(`Switch back with: codika use ${ownerProfile}`);
    // the new key works, and is the active one now; switch back to the owner key to manage keys
    expect(ok(codika(['whoami'])).stdout).toContain('Key: CI Deploy Key');
    ok(codika(['use', ownerProfile]));
  });

  it('list-keys: the new key id is listed, prefixes only', () => {
    const r = ok(codika(['organization', 'list-keys']));
    expect(r.stdout.split('\n')[0]).toBe('KEY ID\tNAME\tPREFIX\tSCOPES\tSTATE\tEXPIRES\tALLOWED IPS\tLAST USED');
    expect(r.stdout).toContain(`${keyId}\tCI Deploy Key\tcko_`);
    expect(r.stdout).not.toContain(ownerKey);
    const j = json(ok(codika(['organization', 'list-keys', '--json'])));
    expect(j.success).toBe(true);
    expect((j.data as { keys: { keyId: string }[] }).keys.map((k) => k.keyId)).toContain(keyId);
  });

  // ---- the seed's Examples section, with the real key id -------------------------------

  const seedLines = (name: string, scopes: string) => `✓ API key updated\nKey ID: ${keyId}\nName: ${name}\nScopes: ${scopes}\n`;
  const expectSeedJson = (r: Result, data: Record<string, unknown>) => {
    ok(r);
    const doc = json(r);
    expect(Object.keys(doc).sort()).toEqual(['data', 'requestId', 'success']);
    expect(doc.success).toBe(true);
    expect(doc.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(doc.data).toMatchObject({ keyId, ...data });
    expect((doc.data as { updatedAt: string }).updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  };

  it('seed: Update scopes', () => {
    const r = ok(update('--scopes', 'deploy:use-case,instances:read,projects:read'));
    expect(r.stdout.startsWith(seedLines('CI Deploy Key', 'deploy:use-case, instances:read, projects:read'))).toBe(true);
    expectSeedJson(update('--scopes', 'deploy:use-case,instances:read,projects:read', '--json'), {
      scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
    });
  });

  it('seed: Rename a key', () => {
    const r = ok(update('--name', 'Production Deploy Key'));
    expect(r.stdout.startsWith(seedLines('Production Deploy Key', 'deploy:use-case, instances:read, projects:read'))).toBe(true);
    expect(r.stdout).toContain('Name: CI Deploy Key → Production Deploy Key');
    expectSeedJson(update('--name', 'Production Deploy Key', '--json'), { name: 'Production Deploy Key' });
  });

  it('seed: Update description', () => {
    const r = ok(update('--description', 'Used by CI/CD pipeline'));
    expect(r.stdout.startsWith(seedLines('Production Deploy Key', 'deploy:use-case, instances:read, projects:read'))).toBe(true);
    expectSeedJson(update('--description', 'Used by CI/CD pipeline', '--json'), { description: 'Used by CI/CD pipeline' });
  });

  it('seed: Multiple fields at once', () => {
    const args = ['--name', 'Full Access', '--scopes', 'deploy:use-case,instances:read,instances:manage'];
    const r = ok(update(...args));
    expect(r.stdout.startsWith(seedLines('Full Access', 'deploy:use-case, instances:manage, instances:read'))).toBe(true);
    expect(r.stdout).toContain('  + instances:manage\n  - projects:read\n');
    expectSeedJson(update(...args, '--json'), {
      name: 'Full Access',
      scopes: ['deploy:use-case', 'instances:manage', 'instances:read'],
    });
  });

  it('seed: JSON output', () => {
    expectSeedJson(update('--scopes', 'deploy:use-case', '--json'), {
      name: 'Full Access',
      description: 'Used by CI/CD pipeline',
      scopes: ['deploy:use-case'],
    });
    expect(ok(update('--scopes', 'deploy:use-case')).stdout.startsWith(seedLines('Full Access', 'deploy:use-case'))).toBe(true);
  });

  // ---- the rules around it ---------------------------------------------------------------

  it('exit 2 before any request: missing --key-id, nothing to update, empty scopes, unknown option, missing argument', () => {
    for (const args of [
      ['organization', 'update-key', '--name', 'x'],
      ['organization', 'update-key', '--key-id', keyId],
      ['organization', 'update-key', '--key-id', keyId, '--scopes', ' , '],
      ['organization', 'update-key', '--key-id', keyId, '--bogus'],
      ['organization', 'update-key', '--key-id'],
    ]) {
      const r = codika(args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(/^Error: /);
      const j = codika([...args, '--json']);
      expect(j.code).toBe(2);
      expect(json(j)).toEqual({ success: false, error: { code: 'VALIDATION_ERROR', message: expect.any(String) } });
      expect(j.stderr).toBe('');
    }
    const noKey = codika(['organization', 'update-key', '--key-id', keyId, '--name', 'x', '--json'], {
      XDG_CONFIG_HOME: join(dir, 'empty'),
    });
    expect(noKey.code).toBe(2);
    expect(json(noKey)).toMatchObject({ error: { code: 'MISSING_API_KEY' } });
  });

  it('an unknown scope is an API error (exit 1) that suggests the nearest and lists the valid ones', () => {
    const r = update('--scopes', 'project:read');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('did you mean projects:read?');
    expect(r.stderr).toContain('deploy:use-case, projects:create');
    const j = update('--scopes', 'project:read', '--json');
    expect(j.code).toBe(1);
    expect(json(j)).toMatchObject({ success: false, error: { code: 'INVALID_SCOPES' }, requestId: expect.any(String) });
  });

  it('--add-scopes / --remove-scopes, --dry-run, and --description "" clears', () => {
    const dry = ok(update('--add-scopes', 'skills:read', '--dry-run'));
    expect(dry.stdout).toBe(
      `Dry run: no changes made\nKey ID: ${keyId}\nName: Full Access\nScopes: deploy:use-case, skills:read\nWould change:\n  + skills:read\n`,
    );
    const list = json(ok(codika(['organization', 'list-keys', '--json']))) as {
      data: { keys: { keyId: string; scopes: string[] }[] };
    };
    expect(list.data.keys.find((k) => k.keyId === keyId)?.scopes).toEqual(['deploy:use-case']);

    const add = ok(update('--add-scopes', 'skills:read,projects:read', '--remove-scopes', 'deploy:use-case'));
    expect(add.stdout).toBe(
      `✓ API key updated\nKey ID: ${keyId}\nName: Full Access\nScopes: projects:read, skills:read\nChanges:\n  + projects:read\n  + skills:read\n  - deploy:use-case\n`,
    );
    expect(update('--scopes', 'projects:read', '--add-scopes', 'skills:read').code).toBe(2);

    const cleared = update('--description', '', '--json');
    expect(json(ok(cleared))).toMatchObject({ data: { description: '' } });
  });

  it('taking api-keys:manage from the calling key needs --force (409 SELF_LOCKOUT → exit 1)', () => {
    const who = json(ok(codika(['whoami', '--json'])));
    const r = codika(['organization', 'update-key', '--key-id', String(who.keyId), '--remove-scopes', 'api-keys:manage']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SELF_LOCKOUT');
    expect(r.stderr).toContain('Pass --force');
    const dry = ok(
      codika([
        'organization',
        'update-key',
        '--key-id',
        String(who.keyId),
        '--remove-scopes',
        'api-keys:manage',
        '--force',
        '--dry-run',
      ]),
    );
    expect(dry.stdout).toContain('  - api-keys:manage');
  });

  it('a key id that does not exist → exit 1 KEY_NOT_FOUND', () => {
    const r = codika(['organization', 'update-key', '--key-id', 'nope', '--name', 'x', '--json']);
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ success: false, error: { code: 'KEY_NOT_FOUND' } });
  });

  it('network failures name the URL and the cause (exit 1)', () => {
    const r = update('--name', 'x', '--api-url', 'http://127.0.0.1:59999/');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot reach http://127.0.0.1:59999/updateorganizationapikeypublic: connection refused');
  });

  it('the key lifecycle: disable/enable, an allowlist, rotate-key saving the new secret into the profile, settings', () => {
    const ciProfile = `${ownerProfile}-ci-deploy-key`;
    ok(codika(['organization', 'update-key', '--key-id', keyId, '--disable']));
    const disabled = codika(['whoami', '--profile', ciProfile]);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toContain('UNAUTHENTICATED');
    ok(codika(['organization', 'update-key', '--key-id', keyId, '--enable', '--allowed-ips', '10.0.0.0/8']));
    expect(codika(['whoami', '--profile', ciProfile]).code).toBe(1);
    const listed = ok(codika(['organization', 'list-keys'])).stdout;
    const row = listed
      .split('\n')
      .find((l) => l.startsWith(`${keyId}\t`))
      ?.split('\t');
    expect(row?.slice(4, 7)).toEqual(['enabled', 'never', '10.0.0.0/8']);
    ok(codika(['organization', 'update-key', '--key-id', keyId, '--clear-allowed-ips']));
    ok(codika(['whoami', '--profile', ciProfile]));

    const rotated = codika(['organization', 'rotate-key', '--key-id', keyId, '--grace', '0']);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toContain('Old secret: stopped working at once');
    expect(rotated.stderr).toContain(`Saved into profile "${ciProfile}".`);
    // The profile holds the new secret: it still works, with the new prefix.
    const who = ok(codika(['whoami', '--profile', ciProfile]));
    const newKey = /API key: (cko_\w{28})/.exec(rotated.stdout)![1]!;
    expect(who.stdout).toContain(`(${newKey.slice(0, 8)}…)`);

    const capped = ok(codika(['organization', 'settings', '--max-key-lifetime-days', '30']));
    expect(capped.stdout).toContain('Maximum key lifetime: 30 days (was none)');
    expect(capped.stdout).toContain('break');
    const refused = codika(['organization', 'update-key', '--key-id', keyId, '--no-expiry', '--json']);
    expect(refused.code).toBe(1);
    expect(json(refused)).toMatchObject({ success: false, error: { code: 'KEY_LIFETIME_EXCEEDED' } });
    ok(codika(['organization', 'settings', '--no-max-key-lifetime']));
    expect(ok(codika(['organization', 'settings'])).stdout).toContain('Maximum key lifetime: none');
  });

  it('revoke-key: refuses without --yes off a terminal (exit 2), revokes with --yes; the key stops working', () => {
    const refused = codika(['organization', 'revoke-key', '--key-id', keyId]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const r = ok(codika(['organization', 'revoke-key', '--key-id', keyId, '--yes']));
    expect(r.stdout).toMatch(new RegExp(`^✓ API key revoked\\nKey ID: ${keyId}\\nRevoked at: \\S+Z\\n$`));
    const after = update('--name', 'x');
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('KEY_NOT_FOUND');
    const revokedProfile = codika(['whoami', '--profile', `${ownerProfile}-ci-deploy-key`]);
    expect(revokedProfile.code).toBe(1);
    expect(revokedProfile.stderr).toContain('UNAUTHENTICATED');
  });

  it('the bash completion script is valid', () => {
    const r = ok(codika(['completion', 'bash']));
    expect(spawnSync('bash', ['-n'], { input: r.stdout }).status).toBe(0);
  });
});
