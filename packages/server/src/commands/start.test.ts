import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY_HEADER } from '@codika/contract/operations';
import { canonicalScopes, SCOPES } from '@codika/contract/scopes';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { openStore } from '../store/index.js';
import { startSmtpServer } from '../test-support/smtp.js';
import type { CommandIO } from './command-deps.js';
import { parseStartOptions, runStart, type StartDeps } from './start.js';

function startHarness() {
  let out = '';
  let err = '';
  let stop: (signal: string) => void = () => {};
  const io: CommandIO = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  };
  const deps: StartDeps = {
    io,
    clock: () => new Date(),
    openStore,
    buildApp,
    logger: false,
    waitForShutdown: () =>
      new Promise<string>((resolve) => {
        stop = resolve;
      }),
  };
  return { deps, out: () => out, err: () => err, stop: (signal = 'SIGTERM') => stop(signal) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('codika-server start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codika-start-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('defaults to 127.0.0.1:8787 and refuses a bad port', () => {
    expect(parseStartOptions({}, {})).toEqual({
      database: { sqliteFile: './.codika/codika.db' },
      log: { level: 'info' },
      host: '127.0.0.1',
      port: 8787,
      firstRunBootstrap: false,
      accounts: { mailFrom: 'codika <no-reply@localhost>', signup: { mode: 'closed' } },
      transport: { requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 1_000 },
      shutdownTimeoutMs: 10_000,
    });
    expect(() => parseStartOptions({ port: '70000' }, {})).toThrow(/--port/);
    expect(() => parseStartOptions({ port: 'abc' }, {})).toThrow(/--port/);
  });

  it('parses the transport and shutdown flags (seconds, counts) and refuses nonsense', () => {
    const parsed = parseStartOptions(
      { requestTimeout: '3', keepAliveTimeout: '75', maxConnections: '50', shutdownTimeout: '20' },
      {},
    );
    expect(parsed.transport).toEqual({ requestTimeoutMs: 3_000, keepAliveTimeoutMs: 75_000, maxConnections: 50 });
    expect(parsed.shutdownTimeoutMs).toBe(20_000);
    expect(() => parseStartOptions({ maxConnections: '0' }, {})).toThrow(/--max-connections/);
    expect(() => parseStartOptions({ requestTimeout: '1.5' }, {})).toThrow(/--request-timeout/);
    expect(() => parseStartOptions({ shutdownTimeout: '-1' }, {})).toThrow(/--shutdown-timeout/);
    expect(() => parseStartOptions({ keepAliveTimeout: 'soon' }, {})).toThrow(/--keep-alive-timeout/);
    expect(parseStartOptions({ keyConcurrency: '4' }, {}).keyConcurrency).toBe(4);
    expect(parseStartOptions({ keyConcurrency: 'OFF' }, {}).keyConcurrency).toBe(false);
    expect(parseStartOptions({}, {}).keyConcurrency).toBeUndefined();
    expect(() => parseStartOptions({ keyConcurrency: '0' }, {})).toThrow(/--key-concurrency/);
  });

  it('parses --pool-size for PostgreSQL and refuses it for SQLite', () => {
    const url = 'postgres://u@db.example:5432/codika';
    expect(parseStartOptions({ databaseUrl: url, poolSize: '24' }, {}).database).toEqual({ databaseUrl: url, poolSize: 24 });
    expect(parseStartOptions({ databaseUrl: url }, {}).database).toEqual({ databaseUrl: url });
    expect(() => parseStartOptions({ databaseUrl: url, poolSize: '0' }, {})).toThrow(/--pool-size/);
    expect(() => parseStartOptions({ poolSize: '8' }, {})).toThrow(/--pool-size applies to PostgreSQL/);
  });

  it('parses --trust-proxy (or $CODIKA_TRUST_PROXY) as addresses, ranges and names, and refuses anything else', () => {
    expect(parseStartOptions({ trustProxy: '10.0.0.0/8, 192.168.1.7,loopback,::1' }, {}).trustProxy).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      '::1',
    ]);
    expect(parseStartOptions({}, { CODIKA_TRUST_PROXY: 'uniquelocal' }).trustProxy).toEqual(['uniquelocal']);
    expect(parseStartOptions({}, {}).trustProxy).toBeUndefined();
    for (const bad of ['everything', '10.0.0.0/99', '300.1.1.1', ',', 'true']) {
      expect(() => parseStartOptions({ trustProxy: bad }, {}), bad).toThrow(/--trust-proxy/);
    }
  });

  it('first start bootstraps once, writes the owner key (0600), serves, and stops on a signal; later starts never print the key', async () => {
    const db = join(dir, 'state', 'codika.db');
    const options = parseStartOptions({ db, port: '0', firstRunBootstrap: true }, {});

    const first = startHarness();
    const running = runStart(options, first.deps);
    await until(() => first.out().includes('listening on'), 'the listening line');
    const url = /codika-server listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(first.out())?.[1];
    expect(url).toBeDefined();
    expect(url).not.toMatch(/:0$/);

    const keyFile = join(dir, 'state', 'owner-key');
    const apiKey = readFileSync(keyFile, 'utf8').trim();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(first.out()).toContain(`  ${apiKey}\n`);
    expect(first.out()).toContain('Default Organization');

    const res = await fetch(`${url}/verifyapikey`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [API_KEY_HEADER]: apiKey },
      body: '{}',
    });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.data).toMatchObject({
      type: 'org-api-key',
      organizationName: 'Default Organization',
      scopes: canonicalScopes(SCOPES),
    });

    first.stop('SIGINT');
    expect(await running).toBe(0);
    expect(first.err()).toMatch(/SIGINT received, shutting down/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const second = startHarness();
    const again = runStart(options, second.deps);
    await until(() => second.out().includes('listening on'), 'the listening line');
    expect(second.out()).not.toContain(apiKey);
    expect(second.out()).toContain(`Owner key (from the first start): ${keyFile}`);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(apiKey);
    second.stop();
    expect(await again).toBe(0);
  });

  it('without --first-run-bootstrap an empty database stays empty', async () => {
    const db = join(dir, 'codika.db');
    const h = startHarness();
    const running = runStart(parseStartOptions({ db, port: '0' }, {}), h.deps);
    await until(() => h.out().includes('listening on'), 'the listening line');
    expect(h.out()).not.toMatch(/cko_/);
    h.stop();
    expect(await running).toBe(0);
    const store = await openStore({ sqliteFile: db });
    expect(await store.isEmpty()).toBe(true);
    await store.close();
  });

  it('a new database locked by another connection: the start waits to migrate, and a signal meanwhile stops it at once', async () => {
    const db = join(dir, 'locked.db');
    const other = new SqliteDatabase(db, { timeout: 0 });
    other.pragma('journal_mode = WAL');
    other.exec('BEGIN EXCLUSIVE');
    other.exec('CREATE TABLE elsewhere (x)');
    try {
      const h = startHarness();
      const started = performance.now();
      const running = runStart(parseStartOptions({ db, port: '0' }, {}), h.deps);
      await new Promise((r) => setTimeout(r, 300));
      expect(h.out()).not.toContain('listening on');
      h.stop('SIGTERM');
      expect(await running).toBe(0);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(h.err()).toMatch(/SIGTERM received during start-up, stopping/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('refuses a damaged database, a file that is no database and a /proc path: a clear message, exit 1, never listening', async () => {
    const damaged = join(dir, 'damaged.db');
    const store = await openStore({ sqliteFile: damaged });
    await store.migrate();
    await store.close();
    const fd = openSync(damaged, 'r+');
    writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, 4096);
    closeSync(fd);
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a database\n'.repeat(500));
    for (const [db, message] of [
      [damaged, /the SQLite database .*damaged\.db is damaged .*restore it from a backup/],
      [notes, /notes\.txt is not a SQLite database/],
      ['/proc/version', /\/proc\/version .*pseudo-filesystem/],
      ['/proc/self/fd/1', /pseudo-filesystem|not a regular file/],
    ] as const) {
      const h = startHarness();
      expect(await runStart(parseStartOptions({ db, port: '0' }, {}), h.deps), db).toBe(1);
      expect(h.err()).toMatch(message);
      expect(h.err()).not.toMatch(/unexpected error/);
      expect(h.out()).not.toContain('listening on');
    }
  });

  it('without SMTP the console outbox prints each code on the terminal (not in the request log), and says so at start', async () => {
    const h = startHarness();
    const running = runStart(
      parseStartOptions({ db: join(dir, 'c.db'), port: '0', firstRunBootstrap: true, signup: 'open' }, {}),
      h.deps,
    );
    await until(() => h.out().includes('listening on'), 'the listening line');
    expect(h.out()).toContain('Mail: console outbox (no SMTP server configured; codes are printed here)\n');
    expect(h.out()).toContain('Sign-up: open to anyone\n');
    const url = /listening on (http:\/\/\S+)\n/.exec(h.out())?.[1];
    const res = await fetch(`${url}/clirequestloginotp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@localhost' }),
    });
    expect(res.status).toBe(200);
    const line = /\[mail\] to owner@localhost: sign-in code (\d{6}) \(valid 10 minutes\)\n/.exec(h.out());
    expect(line).not.toBeNull();
    const login = await fetch(`${url}/clicompletelogin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@localhost', code: line?.[1] }),
    });
    expect(((await login.json()) as { data: { organizationName: string } }).data.organizationName).toBe('Default Organization');
    h.stop();
    expect(await running).toBe(0);
  });

  it('with --smtp-url the codes go to that SMTP server', async () => {
    const smtp = await startSmtpServer();
    try {
      const h = startHarness();
      const options = parseStartOptions(
        { db: join(dir, 's.db'), port: '0', smtpUrl: smtp.url, mailFrom: 'codika <no-reply@acme.test>' },
        {},
      );
      const running = runStart(options, h.deps);
      await until(() => h.out().includes('listening on'), 'the listening line');
      expect(h.out()).toContain(`Mail: SMTP smtp://127.0.0.1:${smtp.port}, from codika <no-reply@acme.test>\n`);
      expect(h.out()).toContain('Sign-up: closed');
      const url = /listening on (http:\/\/\S+)\n/.exec(h.out())?.[1];
      const res = await fetch(`${url}/clirequestloginotp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'ghost@acme.test' }),
      });
      expect(res.status).toBe(200);
      const mail = await smtp.waitFor('ghost@acme.test');
      expect(mail.text).toContain('there is no account for it');
      expect(h.out()).not.toContain('[mail]');
      h.stop();
      expect(await running).toBe(0);
    } finally {
      await smtp.close();
    }
  });

  it('parses --log-level (off is silent) and --log-format, from flags or the environment, and refuses others', () => {
    expect(parseStartOptions({ logLevel: 'off' }, {}).log).toEqual({ level: 'silent' });
    expect(parseStartOptions({ logFormat: 'JSON' }, { CODIKA_LOG_LEVEL: 'warn' }).log).toEqual({ level: 'warn', format: 'json' });
    expect(parseStartOptions({}, { CODIKA_LOG_FORMAT: 'pretty' }).log).toEqual({ level: 'info', format: 'pretty' });
    expect(() => parseStartOptions({ logLevel: 'loud' }, {})).toThrow('--log-level must be one of fatal, error, warn, info');
    expect(() => parseStartOptions({ logFormat: 'xml' }, {})).toThrow('--log-format must be json or pretty (got "xml")');
  });

  it('on a terminal the request log is one short line per request; --log-format json and --log-level off change that', async () => {
    const run = async (raw: Record<string, unknown>, stdoutIsTTY: boolean) => {
      const h = startHarness();
      const { logger: _none, ...deps } = h.deps;
      const running = runStart(parseStartOptions({ db: join(dir, 'log.db'), port: '0', ...raw }, {}), { ...deps, stdoutIsTTY });
      await until(() => h.out().includes('listening on'), 'the listening line');
      const url = /listening on (http:\/\/\S+)\n/.exec(h.out())?.[1];
      await fetch(`${url}/verifyapikey`, { method: 'POST', headers: { [API_KEY_HEADER]: 'cko_nope' } });
      await new Promise((r) => setTimeout(r, 50));
      h.stop();
      expect(await running).toBe(0);
      return h.out();
    };
    const pretty = await run({}, true);
    expect(pretty).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}POST \/verifyapikey {2}401 UNAUTHENTICATED {2}\d+\.\d ms\n/m);
    expect(pretty).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}info {2}Server listening at http/m);
    expect(pretty).not.toContain('{"level"');
    // Not a terminal: JSON lines go to the process's standard output (not io.out), as before.
    expect(await run({}, false)).not.toContain('/verifyapikey');
    expect(await run({ logFormat: 'pretty' }, false)).toMatch(/POST \/verifyapikey {2}401/);
    expect(await run({ logLevel: 'off' }, true)).not.toContain('/verifyapikey');
  });

  it('a port already in use is refused before anything is created: the message names the port and npm start -- --port N', async () => {
    const a = startHarness();
    const first = runStart(parseStartOptions({ db: join(dir, 'a.db'), port: '0' }, {}), a.deps);
    await until(() => a.out().includes('listening on'), 'the listening line');
    const port = Number(/:(\d+)\n/.exec(a.out())?.[1]);
    const b = startHarness();
    const fresh = join(dir, 'fresh', 'b.db');
    expect(await runStart(parseStartOptions({ db: fresh, port: String(port), firstRunBootstrap: true }, {}), b.deps)).toBe(1);
    expect(b.err()).toContain(`port ${port} is already in use on 127.0.0.1 (EADDRINUSE)`);
    expect(b.err()).toContain(`npm start -- --port ${port + 1}`);
    expect(b.err()).toContain('Nothing was created.');
    expect(b.err()).not.toMatch(/unexpected error/);
    // No database, no folder, no owner key, nothing printed as if a first run had happened.
    expect(existsSync(join(dir, 'fresh'))).toBe(false);
    expect(b.out()).not.toContain('First start');
    a.stop();
    expect(await first).toBe(0);
  });

  it('a database path that cannot be written is refused before the port is taken or anything is created', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const h = startHarness();
    const options = parseStartOptions({ db: join(file, 'sub', 'codika.db'), port: '0', firstRunBootstrap: true }, {});
    expect(await runStart(options, h.deps)).toBe(1);
    expect(h.err()).toContain(
      `cannot use ${join(file, 'sub', 'codika.db')} as the SQLite database: ${file} is a file, not a folder`,
    );
    expect(h.err()).toContain('choose another --db');
    expect(h.out()).toBe('');
  });
});
