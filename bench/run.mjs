#!/usr/bin/env node
/**
 * `npm run bench`: every figure of docs/performance.md against a floor measured in the same
 * run, written to bench/results.md and bench/results.json (median and spread over repeated
 * runs, the floor, the ratio, the target). Runs the built code (packages/\*\/dist; built first when missing).
 *
 *   node bench/run.mjs [--smoke] [--duration S] [--runs N] [--startup-runs N]
 *                      [--small-keys N] [--large-keys N] [--database-url URL] [--out DIR]
 *                      [--no-install] [--no-tools] [--keep] [--pool-size N] [--spread-keys N]
 *
 * Tools: `wrk` (load) and `hyperfine` (start-up) from Debian, installed with apt-get when missing
 * (root only, not in --smoke); without them the bench falls back to bench/load.mjs (a node:http
 * load generator in its own process) and to its own spawn loop (--no-tools forces those). Databases and logs live in a
 * temporary directory that is removed at the end (--keep keeps it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { renderResults, updatePerformanceDoc } from './report.mjs';
import { seedPostgres, seedSqlite } from './seed.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = join(ROOT, 'bench');
const SERVER_BIN = join(ROOT, 'packages/server/dist/bin.js');
/** The `codika` binary as shipped: the CLI package's bin. */
const CLI_BIN = join(ROOT, 'packages/cli', JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).bin.codika);
const NODE = process.execPath;

// ---- options -----------------------------------------------------------------------------

const { values: opt } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    duration: { type: 'string' },
    runs: { type: 'string' },
    'startup-runs': { type: 'string' },
    'small-keys': { type: 'string' },
    'large-keys': { type: 'string' },
    connections: { type: 'string', default: '50' },
    'database-url': { type: 'string' },
    out: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    'no-tools': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'pool-size': { type: 'string' },
    'spread-keys': { type: 'string' },
  },
});
const smoke = opt.smoke;
const num = (value, full, tiny) => (value !== undefined ? Number(value) : smoke ? tiny : full);
const cfg = {
  duration: num(opt.duration, 10, 1),
  warmup: smoke ? 1 : 3,
  runs: num(opt.runs, 3, 1),
  startupRuns: num(opt['startup-runs'], 20, 3),
  rssRuns: smoke ? 1 : 5,
  roundTripRuns: num(opt['startup-runs'], 20, 3),
  smallKeys: num(opt['small-keys'], 1_000, 200),
  largeKeys: num(opt['large-keys'], 1_000_000, 2_000),
  connections: Number(opt.connections),
  fsyncSeconds: smoke ? 0.3 : 2,
  /** PostgreSQL: keys of the bench organization that the spread update case takes in turn. */
  spreadKeys: num(opt['spread-keys'], 1_000, 50),
  /** PostgreSQL: `start --pool-size` for codika-server (default: the server's own). */
  poolSize: opt['pool-size'],
};
const databaseUrl = opt['database-url'] ?? process.env.CODIKA_TEST_DATABASE_URL;

const tmp = mkdtempSync(join(tmpdir(), 'codika-bench-'));
const outDir = opt.out ?? (smoke ? join(tmpdir(), 'codika-bench-smoke') : BENCH);
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

// ---- small helpers --------------------------------------------------------------------------

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** median and spread of a list of numbers */
function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => {
    if (s.length === 0) return Number.NaN;
    const pos = (s.length - 1) * q;
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return s[lo] + (s[hi] - s[lo]) * (pos - lo);
  };
  return { median: at(0.5), p25: at(0.25), p75: at(0.75), min: s[0], max: s[s.length - 1], n: s.length };
}

function shellQuote(s) {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The environment of every start-up figure: NODE_EXTRA_CA_CERTS unset, a private HOME. */
function startupEnv() {
  const env = { ...process.env, HOME: join(tmp, 'home'), XDG_CONFIG_HOME: join(tmp, 'home', '.config'), NO_COLOR: '1' };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.NODE_OPTIONS;
  delete env.CODIKA_API_KEY;
  delete env.CODIKA_API_URL;
  delete env.CODIKA_PROFILE;
  mkdirSync(env.HOME, { recursive: true });
  return env;
}

function run(cmd, argv, options = {}) {
  const res = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${argv.join(' ')} exited ${res.status ?? res.signal}: ${res.stderr}${res.stdout}`.slice(0, 2000));
  }
  return res.stdout;
}

// ---- tools and build ----------------------------------------------------------------------

function ensureTools() {
  const missing = opt['no-tools'] ? [] : ['wrk', 'hyperfine'].filter((t) => !have(t));
  if (missing.length > 0 && !smoke && !opt['no-install'] && process.getuid?.() === 0 && have('apt-get')) {
    log(`installing ${missing.join(', ')} with apt-get`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  }
  const tools = {
    wrk: !opt['no-tools'] && have('wrk'),
    hyperfine: !opt['no-tools'] && have('hyperfine'),
    time: existsSync('/usr/bin/time'),
    python3: have('python3'),
  };
  log(
    `load generator: ${tools.wrk ? 'wrk' : 'bench/load.mjs (wrk missing)'}; start-up timer: ${
      tools.hyperfine ? 'hyperfine' : 'spawn loop (hyperfine missing)'
    }`,
  );
  return tools;
}

function ensureBuilt() {
  if (existsSync(SERVER_BIN) && existsSync(CLI_BIN)) return;
  log('building (npm run build)');
  run('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

// ---- process start-up -----------------------------------------------------------------------

/** Wall time (ms) of `argv` runs, interleaved across commands so drift hits them alike. */
function spawnLoop(commands, runs, warmup, env, argsOf = (c) => c.argv) {
  const times = commands.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    const order = i % 2 === 0 ? commands.map((_, k) => k) : commands.map((_, k) => commands.length - 1 - k);
    for (const k of order) {
      const argv = argsOf(commands[k], i);
      const t0 = performance.now();
      const res = spawnSync(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const ms = performance.now() - t0;
      if (res.status !== 0) {
        throw new Error(`${argv.join(' ')} exited ${res.status ?? res.signal}: ${res.stderr}${res.stdout}`.slice(0, 2000));
      }
      if (i >= warmup) times[k].push(ms);
    }
  }
  return times;
}

function hyperfineTimes(commands, runs, env) {
  const file = join(tmp, 'hyperfine.json');
  run(
    'hyperfine',
    [
      '-N',
      '--style',
      'none',
      '--warmup',
      '3',
      '--runs',
      String(runs),
      '--export-json',
      file,
      ...commands.map((c) => c.argv.map(shellQuote).join(' ')),
    ],
    { env },
  );
  const json = JSON.parse(readFileSync(file, 'utf8'));
  return json.results.map((r) => {
    if (r.exit_codes?.some((code) => code !== 0)) throw new Error(`hyperfine: ${r.command} failed`);
    return r.times.map((s) => s * 1000);
  });
}

/** Peak resident set (MB) of one run of argv: GNU time's %M, else python's getrusage. */
function peakRss(argv, env, tools) {
  if (tools.time) {
    const file = join(tmp, 'time.out');
    run('/usr/bin/time', ['-f', '%M', '-o', file, ...argv], { env });
    return Number(readFileSync(file, 'utf8').trim().split('\n').pop()) / 1024;
  }
  if (tools.python3) {
    const py =
      'import resource,subprocess,sys\n' +
      'r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)\n' +
      'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n' +
      'sys.exit(r.returncode)';
    return Number(run('python3', ['-c', py, ...argv], { env }).trim()) / 1024;
  }
  return Number.NaN;
}

// ---- servers --------------------------------------------------------------------------------

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Spawn a server whose stdout goes to a file; resolve once it prints its URL. */
async function startProcess(name, argv, pattern) {
  const outFile = join(tmp, `${name}.out`);
  const errFile = join(tmp, `${name}.err`);
  const child = spawn(argv[0], argv.slice(1), {
    cwd: tmp,
    stdio: ['ignore', openSync(outFile, 'w'), openSync(errFile, 'w')],
  });
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = code ?? signal;
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = readFileSync(outFile, 'utf8');
    const m = pattern.exec(text);
    if (m) {
      return {
        url: m[1],
        pid: child.pid,
        async stop() {
          if (exited !== null) return;
          const done = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await Promise.race([done, sleep(5000)]);
          if (exited === null) child.kill('SIGKILL');
        },
      };
    }
    if (exited !== null) throw new Error(`${name} exited (${exited}): ${readFileSync(errFile, 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`${name} did not start: ${readFileSync(errFile, 'utf8')}`);
    await sleep(50);
  }
}

async function post(url, path, key, body) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-process-manager-key': key },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!json.success) throw new Error(`${path}: ${JSON.stringify(json.error)}`);
  return json.data;
}

// ---- load generation --------------------------------------------------------------------------

const WRK_DONE = `
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"p50_us":%.1f,"p90_us":%.1f,"p99_us":%.1f,"mean_us":%.1f,"max_us":%.1f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
`;

const WRK_SCRIPTS = {
  get: WRK_DONE,
  verify: `
wrk.method = "POST"
wrk.path = "/verifyapikey"
wrk.headers["X-Process-Manager-Key"] = os.getenv("CODIKA_BENCH_KEY")
${WRK_DONE}`,
  // Every request writes other values: alternating scope sets and a fresh name per request
  // (SQLite would skip an UPDATE that writes identical values).
  update: `
local key = os.getenv("CODIKA_BENCH_KEY")
-- one key id (the hot-key case) or many, comma-separated, taken in turn (spread over many keys)
local targets = {}
for id in string.gmatch(os.getenv("CODIKA_BENCH_TARGET"), "[^,]+") do targets[#targets + 1] = id end
local tag = os.getenv("CODIKA_BENCH_TAG")
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
local scopes = { '["projects:read","instances:read"]', '["projects:read","executions:read"]' }
local headers = { ["Content-Type"] = "application/json", ["X-Process-Manager-Key"] = key }
function request()
  n = n + 1
  local body = '{"keyId":"' .. targets[n % #targets + 1] .. '","name":"bench ' .. tag .. '-' .. tostring(tid) .. '-' .. n .. '","scopes":' .. scopes[n % 2 + 1] .. '}'
  return wrk.format("POST", "/updateorganizationapikeypublic", headers, body)
end
${WRK_DONE}`,
};

let loadTag = 0;
/** The 1-minute load average at the start of every load run (how busy the shared machine was). */
const loadAverages = [];

/** One load run against `url` in its own process; samples the server's RSS meanwhile. */
async function load(tools, { url, mode, seconds, key = '', target = '', pid }) {
  loadTag++;
  loadAverages.push(loadavg()[0]);
  const tag = `${Date.now().toString(36)}${loadTag}`;
  let argv;
  if (tools.wrk) {
    const script = join(tmp, `${mode}.lua`);
    writeFileSync(script, WRK_SCRIPTS[mode]);
    argv = [
      'wrk',
      '-t1',
      `-c${cfg.connections}`,
      `-d${Math.max(1, Math.round(seconds))}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      url,
    ];
  } else {
    argv = [NODE, join(BENCH, 'load.mjs'), url, mode, String(seconds), String(cfg.connections), key, target];
  }
  const child = spawn(argv[0], argv.slice(1), {
    env: { ...process.env, CODIKA_BENCH_KEY: key, CODIKA_BENCH_TARGET: target, CODIKA_BENCH_TAG: tag },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exit = new Promise((resolve) => child.on('exit', resolve));
  let peak = 0;
  let finished = false;
  exit.then(() => {
    finished = true;
  });
  while (!finished) {
    if (pid) peak = Math.max(peak, rssMb(pid) || 0);
    await Promise.race([exit, sleep(200)]);
  }
  const code = await exit;
  const line = out.split('\n').find((l) => l.startsWith('WRKJSON ') || l.startsWith('LOADJSON '));
  if (code !== 0 || !line) throw new Error(`load generator failed (${code}): ${err}${out}`);
  const r = JSON.parse(line.slice(line.indexOf(' ') + 1));
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  if (errors > 0) log(`WARNING: ${mode} at ${url}: ${errors} errors ${JSON.stringify(r.errors)}`);
  return {
    rps: r.requests / (r.duration_us / 1e6),
    p50: r.p50_us / 1000,
    p99: r.p99_us / 1000,
    requests: r.requests,
    errors,
    peakRss: peak,
  };
}

function fsyncRate(dir, seconds) {
  const out = run(NODE, [join(BENCH, 'fsync-loop.mjs'), dir, String(seconds)]);
  return JSON.parse(out).perSecond;
}

// ---- figures ------------------------------------------------------------------------------

const figures = [];
const notes = [];

/**
 * One reported figure. `better` says which direction is good ('lower'/'higher'); `target` is
 * { ratio: number, of: 'floor' | 'floor-half' | …, text } or { max: number, text } or null.
 */
function figure(f) {
  const s = stats(f.values);
  const entry = { ...f, ...s, values: f.values.map((v) => Number(v.toFixed(4))) };
  if (f.floor) entry.ratio = s.median / f.floor.median;
  if (f.target) {
    if (f.target.maxRatio !== undefined) entry.met = entry.ratio <= f.target.maxRatio;
    if (f.target.minRatio !== undefined) entry.met = entry.ratio >= f.target.minRatio;
    if (f.target.max !== undefined) entry.met = s.median <= f.target.max;
  }
  figures.push(entry);
  return entry;
}

// ---- sections -----------------------------------------------------------------------------

function startupSection(tools) {
  log('CLI start-up');
  const env = startupEnv();
  const commands = [
    { id: 'floor', label: '`node -e 0`', argv: [NODE, '-e', '0'] },
    { id: 'version', label: '`codika --version`', argv: [NODE, CLI_BIN, '--version'] },
    {
      id: 'help',
      label: '`codika organization update-key --help`',
      argv: [NODE, CLI_BIN, 'organization', 'update-key', '--help'],
    },
  ];
  const times = tools.hyperfine ? hyperfineTimes(commands, cfg.startupRuns, env) : spawnLoop(commands, cfg.startupRuns, 3, env);
  const rss = commands.map((c) => Array.from({ length: cfg.rssRuns }, () => peakRss(c.argv, env, tools)));
  const floor = stats(times[0]);
  const floorRss = stats(rss[0]);
  const timer = tools.hyperfine ? 'hyperfine -N, 3 warm-up runs' : 'spawn loop, 3 warm-up runs';
  figure({
    id: 'startup.floor',
    section: 'startup',
    label: commands[0].label,
    unit: 'ms',
    values: times[0],
    note: timer,
  });
  figure({
    id: 'startup.version',
    section: 'startup',
    label: commands[1].label,
    unit: 'ms',
    values: times[1],
    floor: { label: '`node -e 0`', median: floor.median },
    target: null,
    note: timer,
  });
  figure({
    id: 'startup.help',
    section: 'startup',
    label: commands[2].label,
    unit: 'ms',
    values: times[2],
    floor: { label: '`node -e 0`', median: floor.median },
    target: { maxRatio: 1.4, text: '≤ 1.4 × floor' },
    note: timer,
  });
  for (let k = 0; k < commands.length; k++) {
    figure({
      id: `startup.rss.${commands[k].id}`,
      section: 'startup-memory',
      label: `peak RSS of ${commands[k].label}`,
      unit: 'MB',
      values: rss[k],
      ...(k === 0 ? {} : { floor: { label: 'peak RSS of `node -e 0`', median: floorRss.median } }),
      target: null,
    });
  }
}

function roundTripSection(server) {
  log('CLI round trip');
  const env = startupEnv();
  const commands = [
    { id: 'floor', argv: [NODE, '-e', '0'] },
    {
      id: 'update',
      argv: [NODE, CLI_BIN, 'organization', 'update-key', '--key-id', server.targetKeyId, '--name', 'x'],
    },
    { id: 'script', argv: [NODE, join(BENCH, 'one-request.mjs')] },
  ];
  const tag = Date.now().toString(36);
  const times = spawnLoop(commands, cfg.roundTripRuns, 2, env, (c, i) =>
    c.id === 'floor'
      ? c.argv
      : c.id === 'script'
        ? [...c.argv, server.url, server.ownerKey, server.targetKeyId, `round trip ${tag}-${i} (script)`]
        : [
            NODE,
            CLI_BIN,
            'organization',
            'update-key',
            '--key-id',
            server.targetKeyId,
            '--name',
            `round trip ${tag}-${i}`,
            '--api-url',
            server.url,
            '--api-key',
            server.ownerKey,
          ],
  );
  const floor = stats(times[0]);
  figure({
    id: 'roundtrip.floor',
    section: 'roundtrip',
    label: '`node -e 0` (same loop)',
    unit: 'ms',
    values: times[0],
    note: 'spawn loop, interleaved with the round trips',
  });
  figure({
    id: 'roundtrip.update',
    section: 'roundtrip',
    label: '`codika organization update-key --key-id … --name …` against a local server (SQLite)',
    unit: 'ms',
    values: times[1],
    floor: { label: '`node -e 0`', median: floor.median },
    target: { maxRatio: 2, text: '≤ 2 × floor' },
  });
  figure({
    id: 'roundtrip.script',
    section: 'roundtrip',
    label: 'reference: a bare `node:http` script sending the same update (bench/one-request.mjs), no CLI',
    unit: 'ms',
    values: times[2],
    floor: { label: '`node -e 0`', median: floor.median },
  });
}

/** Create, seed and start one store + server; returns what the load runs need. */
async function startCodika(backend, keys) {
  const name = `${backend.name}-${keys}`;
  let dbArgs;
  let storeOptions;
  const startArgs = [];
  let dropSchema = async () => {};
  if (backend.name === 'sqlite') {
    const file = join(tmp, `codika-${keys}.db`);
    dbArgs = ['--db', file];
    storeOptions = { sqliteFile: file };
  } else {
    const schema = `codika_bench_${process.pid}_${keys}`;
    const pg = await importPg();
    const client = new pg.Client({ connectionString: backend.url });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.query(`create schema ${schema}`);
    await client.end();
    const url = new URL(backend.url);
    url.searchParams.set('options', `-c search_path=${schema}`);
    dbArgs = ['--database-url', url.toString()];
    storeOptions = { databaseUrl: url.toString() };
    if (cfg.poolSize !== undefined) startArgs.push('--pool-size', cfg.poolSize);
    dropSchema = async () => {
      const c = new pg.Client({ connectionString: backend.url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    };
  }
  const { openStore } = await import(pathToFileURL(join(ROOT, 'packages/server/dist/store/index.js')).href);
  const store = await openStore(storeOptions);
  await store.migrate();
  await store.close();

  const t0 = performance.now();
  if (backend.name === 'sqlite') seedSqlite(storeOptions.sqliteFile, keys);
  else await seedPostgres(storeOptions.databaseUrl, keys);
  const seedSeconds = (performance.now() - t0) / 1000;
  log(`${name}: seeded ${keys} keys in ${seedSeconds.toFixed(1)} s`);

  const boot = JSON.parse(
    run(NODE, [
      SERVER_BIN,
      'bootstrap',
      ...dbArgs,
      '--org-name',
      'Bench Org',
      '--owner-email',
      'bench-owner@bench.invalid',
      '--json',
    ]),
  );
  const proc = await startProcess(
    `server-${name}`,
    [NODE, SERVER_BIN, 'start', '--port', '0', ...dbArgs, ...startArgs],
    /codika-server listening on (http:\/\/\S+)/,
  );
  const target = await post(proc.url, '/createorganizationapikeypublic', boot.apiKey, {
    organizationId: boot.organizationId,
    name: 'bench target',
    scopes: ['projects:read', 'instances:read'],
  });
  const spreadKeyIds =
    backend.name === 'postgres' ? await addSpreadKeys(storeOptions.databaseUrl, boot.organizationId, cfg.spreadKeys) : [];
  await sleep(300);
  return {
    ...proc,
    name,
    keys,
    databaseUrl: storeOptions.databaseUrl,
    ownerKey: boot.apiKey,
    targetKeyId: target.keyId,
    spreadKeyIds,
    idleRss: rssMb(proc.pid),
    seedSeconds,
    async stop() {
      await proc.stop();
      await dropSchema();
    },
  };
}

/**
 * PostgreSQL: `count` more keys in the bench organization, created by its owner, each with the
 * two scopes the update load alternates between (inserted straight into the tables, like
 * seed.mjs): the spread update case takes them in turn, so concurrent updates rarely meet on
 * one key's row lock. Returns their ids.
 */
async function addSpreadKeys(databaseUrl, organizationId, count) {
  const pg = await importPg();
  const { createHash, randomUUID } = await import('node:crypto');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`select user_id from memberships where organization_id = $1 and role = 'owner'`, [
      organizationId,
    ]);
    const owner = rows[0].user_id;
    const at = new Date().toISOString();
    const ids = Array.from({ length: count }, () => randomUUID());
    const hashes = ids.map((id) => createHash('sha256').update(`codika-bench-spread:${id}`).digest('hex'));
    await client.query('begin');
    await client.query(
      `insert into api_keys (id, organization_id, created_by_user_id, name, description, prefix, hash, created_at, updated_at)
        select id, $2, $3, 'spread ' || id, '', 'cko_sprd', hash, $4::timestamptz, $4::timestamptz
        from unnest($1::text[], $5::text[]) as t(id, hash)`,
      [ids, organizationId, owner, at, hashes],
    );
    await client.query(
      `insert into api_key_scopes (key_id, scope)
        select id, scope from unnest($1::text[]) as t(id) cross join (values ('projects:read'), ('instances:read')) as s(scope)`,
      [ids],
    );
    await client.query('commit');
    await client.query('analyze');
    return ids;
  } finally {
    await client.end();
  }
}

function pgCommitRate(url, seconds, connections) {
  const out = run(NODE, [join(BENCH, 'pg-commit-loop.mjs'), url, String(seconds), String(connections)]);
  return JSON.parse(out).perSecond;
}

let postgresVersion = null;

/** Version and the durability settings that decide the commit floor. */
async function describePostgres(url) {
  const pg = await importPg();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const q = async (text) => (await client.query(text)).rows[0];
    const version = (await q('show server_version')).server_version;
    const sync = (await q('show synchronous_commit')).synchronous_commit;
    const fsync = (await q('show fsync')).fsync;
    return `${version}, synchronous_commit=${sync}, fsync=${fsync}`;
  } finally {
    await client.end();
  }
}

let pgModule;
async function importPg() {
  if (!pgModule) {
    const { createRequire } = await import('node:module');
    pgModule = createRequire(join(ROOT, 'packages/server/package.json'))('pg');
  }
  return pgModule;
}

/**
 * Throughput/latency of the floor, verify and update on one backend, with the small and the
 * large store served at the same time and their runs interleaved (small, large, large, small,
 * …), so drift of a shared machine hits both scales alike; returns the raw runs of each.
 */
async function loadSection(tools, backend, floorServer) {
  const small = await startCodika(backend, cfg.smallKeys);
  let large;
  let reference;
  try {
    large = await startCodika(backend, cfg.largeKeys);
    const withRoundTrip = backend.name === 'sqlite';
    const isPg = backend.name === 'postgres';
    if (withRoundTrip) roundTripSection(small);
    // PostgreSQL: the reference handler (bench/reference-pg-verify.mjs) on the small store's schema.
    if (isPg) {
      reference = await startProcess(
        'reference-pg',
        [NODE, join(BENCH, 'reference-pg-verify.mjs'), small.databaseUrl],
        /reference listening on (http:\/\/\S+)/,
      );
    }
    const servers = [small, large];
    const results = servers.map((server) => ({
      floor: [],
      healthz: [],
      verify: [],
      update: [],
      fsync: [],
      reference: [],
      commitFloor: [],
      commitConcurrent: [],
      spread: [],
      loadRss: [],
      keys: server.keys,
      seedSeconds: server.seedSeconds,
      idleRss: server.idleRss,
    }));
    if (reference) {
      log('reference: warm-up');
      await load(tools, { url: reference.url, mode: 'verify', seconds: cfg.warmup, key: small.ownerKey });
    }
    if (isPg) {
      log(`${small.name}: warm-up (spread updates)`);
      await load(tools, {
        url: small.url,
        mode: 'update',
        seconds: cfg.warmup,
        key: small.ownerKey,
        target: small.spreadKeyIds.join(','),
      });
    }
    for (const server of servers) {
      log(`${server.name}: warm-up`);
      await load(tools, { url: server.url, mode: 'verify', seconds: cfg.warmup, key: server.ownerKey });
      await load(tools, {
        url: server.url,
        mode: 'update',
        seconds: cfg.warmup,
        key: server.ownerKey,
        target: server.targetKeyId,
      });
    }
    for (let r = 0; r < cfg.runs; r++) {
      log(`${backend.name}: run ${r + 1}/${cfg.runs}`);
      const floor = await load(tools, { url: floorServer.url, mode: 'verify', seconds: cfg.duration, key: small.ownerKey });
      for (const res of results) res.floor.push(floor);
      if (withRoundTrip) {
        results[0].healthz.push(await load(tools, { url: `${small.url}/healthz`, mode: 'get', seconds: cfg.duration }));
      }
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      const peaks = [0, 0];
      // PostgreSQL: the reference runs next to the small store's verify, before it on even runs
      // and after it on odd ones, so drift hits both alike.
      const verifyOrder = reference ? (r % 2 === 0 ? ['ref', 0, 1] : [1, 0, 'ref']) : order;
      for (const k of verifyOrder) {
        if (k === 'ref') {
          results[0].reference.push(
            await load(tools, {
              url: reference.url,
              mode: 'verify',
              seconds: cfg.duration,
              key: small.ownerKey,
              pid: reference.pid,
            }),
          );
          continue;
        }
        const server = servers[k];
        const v = await load(tools, {
          url: server.url,
          mode: 'verify',
          seconds: cfg.duration,
          key: server.ownerKey,
          pid: server.pid,
        });
        results[k].verify.push(v);
        peaks[k] = Math.max(peaks[k], v.peakRss);
      }
      const fsync = fsyncRate(tmp, cfg.fsyncSeconds);
      for (const res of results) res.fsync.push(fsync);
      if (isPg) {
        // PostgreSQL's durable-commit floor (one UPDATE per transaction, one connection), and
        // the same loop on as many connections as codika's pool, between the load runs.
        const floorRate = pgCommitRate(backend.url, cfg.fsyncSeconds, 1);
        const concurrentRate = pgCommitRate(backend.url, cfg.fsyncSeconds, Number(cfg.poolSize ?? 10));
        for (const res of results) {
          res.commitFloor.push(floorRate);
          res.commitConcurrent.push(concurrentRate);
        }
        const spread = await load(tools, {
          url: small.url,
          mode: 'update',
          seconds: cfg.duration,
          key: small.ownerKey,
          target: small.spreadKeyIds.join(','),
          pid: small.pid,
        });
        results[0].spread.push(spread);
        peaks[0] = Math.max(peaks[0], spread.peakRss);
      }
      for (const k of order) {
        const server = servers[k];
        const u = await load(tools, {
          url: server.url,
          mode: 'update',
          seconds: cfg.duration,
          key: server.ownerKey,
          target: server.targetKeyId,
          pid: server.pid,
        });
        results[k].update.push(u);
        peaks[k] = Math.max(peaks[k], u.peakRss);
      }
      for (const k of [0, 1]) results[k].loadRss.push(peaks[k]);
    }
    return { small: results[0], large: results[1] };
  } finally {
    await reference?.stop();
    await large?.stop();
    await small.stop();
  }
}

function throughputFigures(backend, res) {
  const b = backend.name;
  const sec = `throughput-${b}`;
  const floorRps = stats(res.floor.map((x) => x.rps));
  const fsync = stats(res.fsync);
  const tag = `${res.keys.toLocaleString('en-US')} keys`;
  if (b === 'sqlite') {
    figure({
      id: 'floor.rps',
      section: sec,
      label: 'bare `node:http` floor, req/s',
      unit: 'req/s',
      values: res.floor.map((x) => x.rps),
    });
    figure({
      id: 'floor.p50',
      section: sec,
      label: 'bare `node:http` floor, p50',
      unit: 'ms',
      values: res.floor.map((x) => x.p50),
    });
    figure({
      id: 'floor.p99',
      section: sec,
      label: 'bare `node:http` floor, p99',
      unit: 'ms',
      values: res.floor.map((x) => x.p99),
    });
    if (res.healthz.length > 0) {
      figure({
        id: 'fastify.healthz.rps',
        section: sec,
        label: 'reference: Fastify `GET /healthz` of the same server (framework and request log, no key, no database), req/s',
        unit: 'req/s',
        values: res.healthz.map((x) => x.rps),
        floor: { label: 'floor req/s', median: floorRps.median },
      });
    }
    figure({
      id: 'disk.fdatasync',
      section: sec,
      label: 'disk: 4 KiB write + fdatasync loop',
      unit: 'ops/s',
      values: res.fsync,
    });
  }
  if (b === 'postgres') {
    postgresThroughputFigures(res, sec, tag, floorRps);
    return;
  }
  figure({
    id: `${b}.verify.rps`,
    section: sec,
    label: `\`/verifyapikey\` req/s (${tag})`,
    unit: 'req/s',
    values: res.verify.map((x) => x.rps),
    floor: { label: 'floor req/s', median: floorRps.median },
    target: { minRatio: 0.5, text: '≥ 0.5 × floor' },
    errors: res.verify.reduce((a, x) => a + x.errors, 0),
  });
  figure({
    id: `${b}.verify.p50`,
    section: sec,
    label: `\`/verifyapikey\` p50 (${tag})`,
    unit: 'ms',
    values: res.verify.map((x) => x.p50),
    floor: { label: 'floor p50', median: stats(res.floor.map((x) => x.p50)).median },
  });
  figure({
    id: `${b}.verify.p99`,
    section: sec,
    label: `\`/verifyapikey\` p99 (${tag})`,
    unit: 'ms',
    values: res.verify.map((x) => x.p99),
    floor: { label: 'floor p99', median: stats(res.floor.map((x) => x.p99)).median },
    target: { max: 3, text: '≤ 3 ms' },
  });
  figure({
    id: `${b}.update.rps`,
    section: sec,
    label: `\`/updateorganizationapikeypublic\` req/s (${tag}; varying names, alternating scopes)`,
    unit: 'req/s',
    values: res.update.map((x) => x.rps),
    floor: { label: 'disk fdatasync/s', median: fsync.median },
    target: { minRatio: 0.5, text: '≥ 0.5 × fdatasync rate' },
    errors: res.update.reduce((a, x) => a + x.errors, 0),
  });
  figure({
    id: `${b}.update.rps-vs-floor`,
    section: sec,
    label: `\`/updateorganizationapikeypublic\` req/s vs the HTTP floor (${tag})`,
    unit: 'req/s',
    values: res.update.map((x) => x.rps),
    floor: { label: 'floor req/s', median: floorRps.median },
  });
  figure({
    id: `${b}.update.p50`,
    section: sec,
    label: `\`/updateorganizationapikeypublic\` p50 (${tag})`,
    unit: 'ms',
    values: res.update.map((x) => x.p50),
    floor: { label: 'floor p50', median: stats(res.floor.map((x) => x.p50)).median },
  });
  figure({
    id: `${b}.update.p99`,
    section: sec,
    label: `\`/updateorganizationapikeypublic\` p99 (${tag})`,
    unit: 'ms',
    values: res.update.map((x) => x.p99),
    floor: { label: 'floor p99', median: stats(res.floor.map((x) => x.p99)).median },
  });
}

/**
 * PostgreSQL (issue 14): verify against the reference handler on the same database in the
 * same run, updates against PostgreSQL's own durable-commit floor (one UPDATE per transaction
 * on one connection), spread over many keys and on one hot key.
 */
function postgresThroughputFigures(res, sec, tag, floorRps) {
  const ref = {
    rps: stats(res.reference.map((x) => x.rps)),
    p50: stats(res.reference.map((x) => x.p50)),
    p99: stats(res.reference.map((x) => x.p99)),
  };
  const commitFloor = stats(res.commitFloor);
  figure({
    id: 'postgres.reference.rps',
    section: sec,
    label:
      'reference: Fastify + `pg` `/verifyapikey` (bench/reference-pg-verify.mjs: one query, scopes aggregated, pool of 10, one log line per request), req/s',
    unit: 'req/s',
    values: res.reference.map((x) => x.rps),
    floor: { label: 'floor req/s', median: floorRps.median },
    errors: res.reference.reduce((a, x) => a + x.errors, 0),
  });
  figure({
    id: 'postgres.reference.p50',
    section: sec,
    label: 'reference `/verifyapikey` p50',
    unit: 'ms',
    values: res.reference.map((x) => x.p50),
  });
  figure({
    id: 'postgres.reference.p99',
    section: sec,
    label: 'reference `/verifyapikey` p99',
    unit: 'ms',
    values: res.reference.map((x) => x.p99),
  });
  figure({
    id: 'postgres.commit-floor',
    section: sec,
    label: 'PostgreSQL commit floor: one `UPDATE` per transaction, one connection (bench/pg-commit-loop.mjs)',
    unit: 'commits/s',
    values: res.commitFloor,
  });
  figure({
    id: 'postgres.commit-concurrent',
    section: sec,
    label: `the same loop on ${cfg.poolSize ?? 10} connections at once (PostgreSQL flushes several commits per WAL write)`,
    unit: 'commits/s',
    values: res.commitConcurrent,
    floor: { label: 'commit floor', median: commitFloor.median },
  });
  figure({
    id: 'postgres.verify.rps',
    section: sec,
    label: `\`/verifyapikey\` req/s (${tag})`,
    unit: 'req/s',
    values: res.verify.map((x) => x.rps),
    floor: { label: 'reference req/s', median: ref.rps.median },
    target: { minRatio: 1, text: '≥ 1.0 × reference' },
    errors: res.verify.reduce((a, x) => a + x.errors, 0),
  });
  figure({
    id: 'postgres.verify.rps-vs-floor',
    section: sec,
    label: `\`/verifyapikey\` req/s vs the HTTP floor (${tag})`,
    unit: 'req/s',
    values: res.verify.map((x) => x.rps),
    floor: { label: 'floor req/s', median: floorRps.median },
  });
  figure({
    id: 'postgres.verify.p50',
    section: sec,
    label: `\`/verifyapikey\` p50 (${tag})`,
    unit: 'ms',
    values: res.verify.map((x) => x.p50),
    floor: { label: 'reference p50', median: ref.p50.median },
  });
  figure({
    id: 'postgres.verify.p99',
    section: sec,
    label: `\`/verifyapikey\` p99 (${tag})`,
    unit: 'ms',
    values: res.verify.map((x) => x.p99),
    floor: { label: 'reference p99', median: ref.p99.median },
    target: { maxRatio: 1, text: "≤ reference's p99" },
  });
  figure({
    id: 'postgres.update-spread.rps',
    section: sec,
    label: `\`/updateorganizationapikeypublic\` req/s, spread over ${cfg.spreadKeys.toLocaleString('en-US')} keys taken in turn (${tag} in the store)`,
    unit: 'req/s',
    values: res.spread.map((x) => x.rps),
    floor: { label: 'commit floor', median: commitFloor.median },
    target: { minRatio: 0.5, text: '≥ 0.5 × commit floor' },
    errors: res.spread.reduce((a, x) => a + x.errors, 0),
  });
  figure({
    id: 'postgres.update-spread.p50',
    section: sec,
    label: '`/updateorganizationapikeypublic` p50, spread',
    unit: 'ms',
    values: res.spread.map((x) => x.p50),
  });
  figure({
    id: 'postgres.update-spread.p99',
    section: sec,
    label: '`/updateorganizationapikeypublic` p99, spread',
    unit: 'ms',
    values: res.spread.map((x) => x.p99),
  });
  figure({
    id: 'postgres.update.rps',
    section: sec,
    label: `\`/updateorganizationapikeypublic\` req/s, one hot key (${tag}; every request waits for the previous one's row lock)`,
    unit: 'req/s',
    values: res.update.map((x) => x.rps),
    floor: { label: 'commit floor', median: commitFloor.median },
    errors: res.update.reduce((a, x) => a + x.errors, 0),
  });
  figure({
    id: 'postgres.update.p50',
    section: sec,
    label: '`/updateorganizationapikeypublic` p50, one hot key',
    unit: 'ms',
    values: res.update.map((x) => x.p50),
  });
  figure({
    id: 'postgres.update.p99',
    section: sec,
    label: '`/updateorganizationapikeypublic` p99, one hot key',
    unit: 'ms',
    values: res.update.map((x) => x.p99),
  });
}

function scaleFigures(backend, small, large) {
  const b = backend.name;
  const sec = `scale-${b}`;
  const pairs = [
    ['verify', 'p50'],
    ['verify', 'p99'],
    ['update', 'p50'],
    ['update', 'p99'],
  ];
  const names = { verify: '`/verifyapikey`', update: '`/updateorganizationapikeypublic`' };
  for (const [op, p] of pairs) {
    const smallMedian = stats(small[op].map((x) => x[p])).median;
    figure({
      id: `${b}.scale.${op}.${p}`,
      section: sec,
      label: `${names[op]} ${p}, ${large.keys.toLocaleString('en-US')} keys`,
      unit: 'ms',
      values: large[op].map((x) => x[p]),
      floor: { label: `${p} at ${small.keys.toLocaleString('en-US')} keys`, median: smallMedian },
      target: { maxRatio: 1.2, text: '≤ 1.2 × small store' },
    });
  }
  for (const op of ['verify', 'update']) {
    const smallRps = stats(small[op].map((x) => x.rps)).median;
    figure({
      id: `${b}.scale.${op}.rps`,
      section: sec,
      label: `${names[op]} req/s, ${large.keys.toLocaleString('en-US')} keys`,
      unit: 'req/s',
      values: large[op].map((x) => x.rps),
      floor: { label: `req/s at ${small.keys.toLocaleString('en-US')} keys`, median: smallRps },
    });
  }
}

function memoryFigures(backend, results) {
  const b = backend.name;
  for (const res of results) {
    const tag = `${res.keys.toLocaleString('en-US')} keys`;
    figure({
      id: `${b}.rss.idle.${res.keys}`,
      section: 'memory',
      label: `server RSS idle (${b}, ${tag})`,
      unit: 'MB',
      values: [res.idleRss],
    });
    figure({
      id: `${b}.rss.load.${res.keys}`,
      section: 'memory',
      label: `server RSS peak under load (${b}, ${tag})`,
      unit: 'MB',
      values: res.loadRss,
    });
  }
}

// ---- main ---------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const tools = ensureTools();
  ensureBuilt();

  startupSection(tools);

  const floorServer = await startProcess('floor', [NODE, join(BENCH, 'floor-server.mjs')], /floor listening on (http:\/\/\S+)/);
  try {
    const backends = [{ name: 'sqlite' }];
    if (databaseUrl) {
      const help = spawnSync(NODE, [SERVER_BIN, 'start', '--help'], { encoding: 'utf8' }).stdout ?? '';
      if (help.includes('--database-url')) {
        backends.push({ name: 'postgres', url: databaseUrl });
        postgresVersion = await describePostgres(databaseUrl);
      } else notes.push('PostgreSQL: skipped — this build of `codika-server start` has no `--database-url`.');
    } else {
      notes.push('PostgreSQL: skipped — set `CODIKA_TEST_DATABASE_URL` or pass `--database-url` to include it.');
    }
    for (const backend of backends) {
      const { small, large } = await loadSection(tools, backend, floorServer);
      throughputFigures(backend, small);
      scaleFigures(backend, small, large);
      memoryFigures(backend, [small, large]);
      notes.push(
        `${backend.name}: seeding took ${small.seedSeconds.toFixed(1)} s (${small.keys.toLocaleString('en-US')} keys) and ${large.seedSeconds.toFixed(1)} s (${large.keys.toLocaleString('en-US')} keys), batched inserts (bench/seed.mjs).`,
      );
    }
  } finally {
    await floorServer.stop();
  }

  const cpu = cpus();
  const meta = {
    date: new Date().toISOString(),
    smoke,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadGenerator: tools.wrk ? 'wrk -t1' : 'bench/load.mjs (node:http)',
    startupTimer: tools.hyperfine ? 'hyperfine -N' : 'spawn loop',
    connections: cfg.connections,
    duration: cfg.duration,
    runs: cfg.runs,
    startupRuns: cfg.startupRuns,
    smallKeys: cfg.smallKeys,
    largeKeys: cfg.largeKeys,
    nodeExtraCaCerts: 'unset for start-up figures',
    loadAverage: loadAverages.length > 0 ? stats(loadAverages) : null,
    postgres: postgresVersion,
    poolSize: cfg.poolSize ?? null,
    seconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify({ meta, figures, notes }, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), renderResults({ meta, figures, notes }));
  log(`wrote ${join(outDir, 'results.md')} and results.json in ${meta.seconds} s`);
  if (!smoke && outDir === BENCH && updatePerformanceDoc(join(ROOT, 'docs/performance.md'), { meta, figures, notes })) {
    log('updated the figures in docs/performance.md');
  }
  const missed = figures.filter((f) => f.met === false).map((f) => f.id);
  log(missed.length === 0 ? 'every target met' : `targets missed: ${missed.join(', ')}`);
}

try {
  await main();
} finally {
  if (!opt.keep) rmSync(tmp, { recursive: true, force: true });
  else log(`kept ${tmp}`);
}
