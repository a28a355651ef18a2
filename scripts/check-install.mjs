#!/usr/bin/env node
/**
 * The ways people install and run codika, checked after `npm ci` (called by .ci/run):
 *
 * 1. from the repository's root, `npx codika --version` and `npx codika-server --help` run
 *    this repository's builds (the committed bin files make npm link them at install time;
 *    `--no` stops npx from fetching the public `codika` from the registry instead);
 * 2. `npm pack` of @codika-oss/cli and @codika-oss/server: the CLI's tarball has no
 *    dependencies and carries no server or database code;
 * 3. both tarballs install with `npm i -g` into an empty temporary prefix, without a warning,
 *    (`--allow-scripts=better-sqlite3`: npm 11 asks which packages may run install scripts; the
 *    native SQLite driver compiles or fetches its binary in one), and run from a folder outside the repository: `codika --version`, and
 *    `codika-server start --port 0` answers /healthz and serves the dashboard, then stops on
 *    SIGTERM with exit code 0.
 *
 *   node scripts/check-install.mjs [--keep]     (--keep leaves the temporary folder)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const keep = process.argv.includes('--keep');
const cliVersion = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')).version;
// npm run passes its own settings down as npm_config_*; the installs here must not inherit them.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function step(text) {
  process.stdout.write(`check-install: ${text}\n`);
}
function fail(text) {
  process.stderr.write(`check-install: FAILED: ${text}\n`);
  process.exit(1);
}
function run(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  } catch (err) {
    fail(`${cmd} ${args.join(' ')} exited ${err.status}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}
/** Runs a command and returns stdout and stderr together (npm writes its warnings on stderr). */
function runBoth(cmd, args, options = {}) {
  const out = run(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  return out;
}

// 1. npx from the repository's root.
const npxVersion = run('npx', ['--no', '--', 'codika', '--version'], { cwd: root }).trim();
if (npxVersion !== cliVersion) fail(`npx codika --version printed "${npxVersion}", expected ${cliVersion} (this repository's)`);
step(`npx codika --version → ${npxVersion}`);
const npxHelp = run('npx', ['--no', '--', 'codika-server', '--help'], { cwd: root });
if (!/^Usage: codika-server /m.test(npxHelp) || !/\bstart\b/.test(npxHelp)) fail(`npx codika-server --help printed:\n${npxHelp}`);
step('npx codika-server --help → the operator commands');

// 2. The tarballs.
const tmp = mkdtempSync(join(tmpdir(), 'codika-install-'));
try {
  const packed = JSON.parse(
    run('npm', ['pack', '--json', '--pack-destination', tmp, '-w', '@codika-oss/cli', '-w', '@codika-oss/server'], {
      cwd: root,
    }),
  );
  const byName = Object.fromEntries(packed.map((p) => [p.name, p]));
  const cli = byName['@codika-oss/cli'];
  const server = byName['@codika-oss/server'];
  if (!cli || !server) fail(`npm pack made ${packed.map((p) => p.name).join(', ')}`);
  const cliFiles = cli.files.map((f) => f.path);
  const serverish = cliFiles.filter((f) => /server|sqlite|migration|store|\.db$/i.test(f));
  if (serverish.length > 0) fail(`the CLI's tarball carries server or database files: ${serverish.join(', ')}`);
  const cliManifest = JSON.parse(run('tar', ['-xOzf', join(tmp, cli.filename), 'package/package.json']));
  if (Object.keys(cliManifest.dependencies ?? {}).length > 0) {
    fail(`the CLI's tarball depends on ${Object.keys(cliManifest.dependencies).join(', ')} (its bundle needs none)`);
  }
  for (const file of cliFiles.filter((f) => f.endsWith('.mjs') || f.endsWith('.js'))) {
    const text = run('tar', ['-xOzf', join(tmp, cli.filename), `package/${file}`]);
    for (const marker of ['better-sqlite3', 'kysely', 'fastify', 'nodemailer']) {
      if (text.includes(marker)) fail(`the CLI's ${file} contains "${marker}" (server code in the CLI)`);
    }
  }
  step(`${cli.filename}: ${cliFiles.length} files, ${(cli.size / 1024).toFixed(0)} KiB, no dependencies, no server code`);
  const serverManifest = JSON.parse(run('tar', ['-xOzf', join(tmp, server.filename), 'package/package.json']));
  const serverFiles = server.files.map((f) => f.path);
  if (!serverFiles.includes('dist/dashboard/index.html')) fail("the server's tarball has no dashboard");
  step(
    `${server.filename}: ${serverFiles.length} files, ${(server.size / 1024).toFixed(0)} KiB, depends on ${Object.keys(
      serverManifest.dependencies ?? {},
    ).join(', ')}`,
  );

  // 3. Global installs into an empty prefix, run from outside the repository.
  const prefix = join(tmp, 'prefix');
  const home = join(tmp, 'home');
  const work = join(tmp, 'work');
  run('mkdir', ['-p', home, work]);
  // The user's HOME stays for the install: npm's cache, and node-gyp's Node headers to compile
  // better-sqlite3 when no prebuilt binary can be fetched.
  const installEnv = { ...env, npm_config_prefix: prefix, npm_config_update_notifier: 'false' };
  const install = runBoth(
    'sh',
    [
      '-c',
      'npm install --global --allow-scripts=better-sqlite3 --no-audit --no-fund "$1" "$2" 2>&1',
      'sh',
      join(tmp, cli.filename),
      join(tmp, server.filename),
    ],
    { cwd: work, env: installEnv },
  );
  const warnings = install.split('\n').filter((l) => /\bnpm (warn|WARN)\b/.test(l));
  if (warnings.length > 0) fail(`npm i -g warned:\n${warnings.join('\n')}`);
  step(`npm i -g of both tarballs into ${prefix}: no warnings`);
  const bin = join(prefix, 'bin');
  const runEnv = { ...env, HOME: home, PATH: `${bin}:${process.env.PATH}`, XDG_CONFIG_HOME: join(home, '.config') };
  const globalVersion = run('codika', ['--version'], { cwd: work, env: runEnv }).trim();
  if (globalVersion !== cliVersion) fail(`codika --version printed "${globalVersion}", expected ${cliVersion}`);
  step(`codika --version → ${globalVersion}`);
  await checkServer(join(bin, 'codika-server'), work, runEnv);
} finally {
  if (keep) step(`left ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
step('all good');

/** `codika-server start --port 0` in `cwd`: it answers /healthz and /, then stops on SIGTERM with 0. */
async function checkServer(serverBin, cwd, runEnv) {
  const child = spawn(serverBin, ['start', '--port', '0', '--db', join(cwd, 'codika.db'), '--first-run-bootstrap'], {
    cwd,
    env: runEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  let url;
  while (!url) {
    url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (url) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      fail(`codika-server start did not listen:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    const health = await fetch(`${url}/healthz`);
    if (health.status !== 200) fail(`GET /healthz answered ${health.status}`);
    const page = await fetch(`${url}/`);
    const html = await page.text();
    if (page.status !== 200 || !html.includes('<script')) fail(`GET / answered ${page.status}: ${html.slice(0, 200)}`);
    step(`codika-server start --port 0 → ${url}, /healthz 200, dashboard served`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  child.kill('SIGTERM');
  const { code } = await exited;
  if (code !== 0) fail(`codika-server exited ${code} on SIGTERM:\n${output}`);
  step('codika-server stopped on SIGTERM with exit code 0');
}
