/**
 * `codika-server start [--host 127.0.0.1] [--port 8787] [--first-run-bootstrap]` — run the
 * platform API in the foreground until SIGINT/SIGTERM, then shut down gracefully (stop
 * accepting, close idle and incomplete connections, answer the requests already received, at
 * most --shutdown-timeout; a second signal cuts it short), close the store and exit 0.
 * A signal during start-up stops it there.
 *
 * Before anything is created, the SQLite path must be writable and the port free
 * (start-preflight.ts): a busy port names itself and `npm start -- --port N`, and leaves no
 * database and no half-made first run behind.
 *
 * With --first-run-bootstrap (what `npm start` passes), the very first start on an empty
 * database creates "Default Organization", its owner owner@localhost and an owner key with
 * all ten scopes; the key is printed once and written (mode 0600) to `owner-key` beside the
 * SQLite database file (on PostgreSQL it is only printed). Later starts only say where that file is.
 *
 * The request log: `--log-level` (off for none) and `--log-format json|pretty`; by default one
 * short line per request when standard output is a terminal (http/log-format.ts), JSON lines
 * when it is not. The banner lines are plain text either way.
 *
 * Accounts (accounts-options.ts): `--smtp-url`/`--mail-from` mail the sign-in codes; without
 * them the console outbox prints each code on this terminal (through `io.out`, not the JSON
 * request log). `--signup closed|open` and `--signup-domains` say who may sign up. The start
 * says which mailer and which policy are on.
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { DEFAULT_PORT } from '@codika/contract/operations';
import { SCOPES } from '@codika/contract/scopes';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { consoleMailer, type Mailer } from '../accounts/mailer.js';
import { describeSignupPolicy } from '../accounts/policy.js';
import { smtpMailer } from '../accounts/smtp-mailer.js';
import type { AppDeps } from '../app.js';
import { iso } from '../clock.js';
import type { AuthFailureBudget } from '../http/auth-throttle.js';
import { DEFAULT_KEY_CONCURRENCY } from '../http/key-concurrency.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel, prettyLogStream } from '../http/log-format.js';
import { DEFAULT_SHUTDOWN_TIMEOUT_MS, shutdownGracefully } from '../http/shutdown.js';
import { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from '../http/transport.js';
import { newId } from '../ids.js';
import { newKey } from '../new-key.js';
import type { StoreOptions } from '../store/index.js';
import { POSTGRES_POOL_MAX } from '../store/pool-size.js';
import type { Store } from '../store/types.js';
import {
  type AccountsFlags,
  type AccountsOptions,
  MAIL_FROM_ENV,
  parseAccountsOptions,
  SIGNUP_DOMAINS_ENV,
  SIGNUP_ENV,
  SMTP_URL_ENV,
} from './accounts-options.js';
import { AUTH_FAILURE_BUDGET_FLAG, AUTH_FAILURE_BUDGET_HELP, parseAuthFailureBudget } from './auth-budget.js';
import { type CommandDeps, EXIT_OK, UsageError } from './command-deps.js';
import { OPERATOR_AGENT } from './operator.js';
import { addDatabaseOptions, type DatabaseFlags, type Env, parsePort, requireString, resolveDatabase } from './options.js';
import { checkDatabaseWritable, describeListenFailure, probePort } from './start-preflight.js';
import { guard } from './subcommand.js';
import { parseTrustProxy, TRUST_PROXY_FLAG, TRUST_PROXY_HELP } from './trust-proxy.js';

export const DEFAULT_HOST = '127.0.0.1';
export const FIRST_RUN_ORG_NAME = 'Default Organization';
export const FIRST_RUN_OWNER_EMAIL = 'owner@localhost';
export const OWNER_KEY_FILE = 'owner-key';

export interface StartOptions {
  database: StoreOptions;
  host: string;
  port: number;
  firstRunBootstrap: boolean;
  /** --auth-failure-budget / $CODIKA_AUTH_FAILURE_BUDGET; undefined: the server's default (20 per 60 s). */
  authFailureBudget?: AuthFailureBudget | false;
  /** How codes are mailed and who may sign up. */
  accounts: AccountsOptions;
  /** --request-timeout, --keep-alive-timeout, --max-connections. */
  transport: TransportLimits;
  /** --shutdown-timeout: how long a shutdown waits for the requests already received (ms). */
  shutdownTimeoutMs: number;
  /** --trust-proxy / $CODIKA_TRUST_PROXY; undefined: no proxy trusted. */
  trustProxy?: string[];
  /** --key-concurrency: requests of one key served at once (false: off; default 16). */
  keyConcurrency?: number | false;
  /** --log-level / $CODIKA_LOG_LEVEL ('silent': no request log); --log-format / $CODIKA_LOG_FORMAT (undefined: pretty on a terminal, else json). */
  log: { level: LogLevel; format?: LogFormat };
}

export interface StartDeps extends CommandDeps {
  buildApp(deps: AppDeps): Promise<FastifyInstance>;
  /** Passed to buildApp as is (tests); undefined: the request log the --log-* options describe. */
  logger?: AppDeps['logger'];
  /** Whether standard output is a terminal: the request log is then pretty unless --log-format says otherwise. */
  stdoutIsTTY?: boolean;
  /** Called once, before listening; resolves with the signal name when the process is asked to stop. */
  waitForShutdown(): Promise<string>;
}

export interface RawStartFlags extends DatabaseFlags, AccountsFlags {
  host?: unknown;
  port?: unknown;
  firstRunBootstrap?: boolean;
  authFailureBudget?: unknown;
  requestTimeout?: unknown;
  keepAliveTimeout?: unknown;
  maxConnections?: unknown;
  shutdownTimeout?: unknown;
  trustProxy?: unknown;
  keyConcurrency?: unknown;
  poolSize?: unknown;
  logLevel?: unknown;
  logFormat?: unknown;
}

export const LOG_LEVEL_ENV = 'CODIKA_LOG_LEVEL';
export const LOG_FORMAT_ENV = 'CODIKA_LOG_FORMAT';

/** --log-level (or $CODIKA_LOG_LEVEL): a pino level, or silent/off; default info. */
export function parseLogOptions(raw: RawStartFlags, env: Env): StartOptions['log'] {
  const levelText = String(raw.logLevel ?? env[LOG_LEVEL_ENV] ?? 'info')
    .trim()
    .toLowerCase();
  const level = levelText === 'off' ? 'silent' : levelText;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')} or off (got "${levelText}")`);
  }
  const formatRaw = raw.logFormat ?? env[LOG_FORMAT_ENV];
  if (formatRaw === undefined || String(formatRaw).trim() === '') return { level: level as LogLevel };
  const format = String(formatRaw).trim().toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--log-format must be json or pretty (got "${String(formatRaw).trim()}")`);
  }
  return { level: level as LogLevel, format: format as LogFormat };
}

/** The request log `start` gives the app: none, JSON lines on standard output, or lines for people through io.out. */
export function requestLogger(log: StartOptions['log'], deps: Pick<StartDeps, 'io' | 'stdoutIsTTY'>): AppDeps['logger'] {
  if (log.level === 'silent') return false;
  const format = log.format ?? (deps.stdoutIsTTY === true ? 'pretty' : 'json');
  if (format === 'json') return { level: log.level };
  return { level: log.level, stream: prettyLogStream({ write: (text) => deps.io.out(text) }) as NodeJS.WritableStream };
}

/** A whole number from min to max, for `flag`; undefined keeps `fallback`. */
function parseWhole(value: unknown, flag: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return n;
}

/** --pool-size: PostgreSQL's connections per instance; refused for SQLite (one connection by design). */
function withPoolSize(database: StoreOptions, value: unknown): StoreOptions {
  if (value === undefined) return database;
  if (!('databaseUrl' in database)) throw new UsageError('--pool-size applies to PostgreSQL (--database-url) only');
  return { ...database, poolSize: parseWhole(value, '--pool-size', 1, 1000, POSTGRES_POOL_MAX) };
}

export function parseStartOptions(raw: RawStartFlags, env: Env): StartOptions {
  const trustProxy = parseTrustProxy(raw.trustProxy, env);
  const seconds = (value: unknown, flag: string, fallbackMs: number) =>
    parseWhole(value, flag, 1, 3600, fallbackMs / 1000) * 1000;
  return {
    database: withPoolSize(resolveDatabase(raw, env), raw.poolSize),
    log: parseLogOptions(raw, env),
    host: requireString(raw.host ?? DEFAULT_HOST, '--host'),
    port: parsePort(raw.port ?? DEFAULT_PORT),
    firstRunBootstrap: raw.firstRunBootstrap === true,
    authFailureBudget: parseAuthFailureBudget(raw.authFailureBudget, env),
    accounts: parseAccountsOptions(raw, env),
    transport: {
      requestTimeoutMs: seconds(raw.requestTimeout, '--request-timeout', DEFAULT_TRANSPORT_LIMITS.requestTimeoutMs),
      keepAliveTimeoutMs: seconds(raw.keepAliveTimeout, '--keep-alive-timeout', DEFAULT_TRANSPORT_LIMITS.keepAliveTimeoutMs),
      maxConnections: parseWhole(raw.maxConnections, '--max-connections', 1, 1_000_000, DEFAULT_TRANSPORT_LIMITS.maxConnections),
    },
    shutdownTimeoutMs: seconds(raw.shutdownTimeout, '--shutdown-timeout', DEFAULT_SHUTDOWN_TIMEOUT_MS),
    ...(trustProxy === undefined ? {} : { trustProxy }),
    ...(raw.keyConcurrency === undefined
      ? {}
      : {
          keyConcurrency:
            String(raw.keyConcurrency).trim().toLowerCase() === 'off'
              ? false
              : parseWhole(raw.keyConcurrency, '--key-concurrency', 1, 100_000, DEFAULT_KEY_CONCURRENCY.perKey),
        }),
  };
}

function mailerOf(options: AccountsOptions, deps: StartDeps): Mailer {
  if (options.smtpUrl === undefined) return consoleMailer((line) => deps.io.out(line));
  return smtpMailer({ url: options.smtpUrl, from: options.mailFrom });
}

/** The owner-key file sits beside a SQLite database file; PostgreSQL and ':memory:' have none. */
function ownerKeyFileOf(database: StoreOptions): string | null {
  if (!('sqliteFile' in database) || database.sqliteFile === ':memory:') return null;
  return ownerKeyPath(database.sqliteFile);
}

export function ownerKeyPath(db: string): string {
  return join(dirname(db), OWNER_KEY_FILE);
}

function urlOf(app: FastifyInstance, host: string): string {
  const address = app.server.address() as AddressInfo | null;
  const port = address?.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${port}`;
}

/** The owner key of the first start, created once (see Store.bootstrapFirstOrganization). */
async function firstRun(store: Store, options: StartOptions, deps: StartDeps): Promise<void> {
  const keyFile = ownerKeyFileOf(options.database);
  const alreadyBootstrapped = () => {
    if (keyFile && existsSync(keyFile)) deps.io.out(`Owner key (from the first start): ${keyFile}\n`);
  };
  if (!(await store.isEmpty())) {
    alreadyBootstrapped();
    return;
  }
  const now = deps.clock();
  const createdAt = iso(now);
  const { input, rawKey } = newKey(
    { name: 'Owner key', description: `Created by codika-server bootstrap for ${FIRST_RUN_OWNER_EMAIL}` },
    now,
  );
  const outcome = await store.bootstrapFirstOrganization({
    organization: { id: newId(), name: FIRST_RUN_ORG_NAME, createdAt },
    owner: { id: newId(), email: FIRST_RUN_OWNER_EMAIL },
    key: { ...input, scopes: [...SCOPES] },
    audit: { at: createdAt, requestId: newId(), sourceIp: null, userAgent: OPERATOR_AGENT },
  });
  // Another instance starting at the same moment bootstrapped first.
  if (outcome.status === 'not_empty') {
    alreadyBootstrapped();
    return;
  }
  let saved = false;
  if (keyFile) {
    try {
      writeFileSync(keyFile, `${rawKey}\n`, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      saved = true;
    } catch (err) {
      deps.io.err(`codika-server: could not write ${keyFile}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  deps.io.out(
    [
      `First start: created "${FIRST_RUN_ORG_NAME}" (${outcome.organization.id}) with owner ${FIRST_RUN_OWNER_EMAIL}.`,
      `Owner API key, with all ten scopes. It is shown this once${saved ? `, and saved to ${keyFile} (mode 0600)` : '; store it now'}:`,
      '',
      `  ${rawKey}`,
      '',
      '',
    ].join('\n'),
  );
}

/** Thrown out of start-up when a signal arrives before the server listens. */
class StoppedDuringStartUp extends Error {
  constructor(readonly signal: string) {
    super(`${signal} received during start-up`);
  }
}

export async function runStart(options: StartOptions, deps: StartDeps): Promise<number> {
  return guard(deps.io, async () => {
    const stopRequested = deps.waitForShutdown();
    // Every start-up step races the signal: a start stuck on a locked or unusable database
    // still stops when asked.
    const untilStopped = stopRequested.then((signal) => {
      throw new StoppedDuringStartUp(signal);
    });
    untilStopped.catch(() => {});
    const step = <T>(work: Promise<T>): Promise<T> => Promise.race([work, untilStopped]);
    let store: Store | undefined;
    const mailer = mailerOf(options.accounts, deps);
    let app: FastifyInstance | undefined;
    try {
      // Nothing is created before the database's path and the port are known to work.
      checkDatabaseWritable(options.database);
      await step(probePort(options.host, options.port));
      store = await step(deps.openStore(options.database, { check: true }));
      await step(store.migrate());
      if (options.firstRunBootstrap) await step(firstRun(store, options, deps));
      app = await deps.buildApp({
        store,
        clock: deps.clock,
        mailer,
        signup: options.accounts.signup,
        transport: options.transport,
        ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
        ...(options.keyConcurrency === undefined
          ? {}
          : { keyConcurrency: options.keyConcurrency === false ? false : { perKey: options.keyConcurrency } }),
        logger: deps.logger === undefined ? requestLogger(options.log, deps) : deps.logger,
        ...(options.authFailureBudget === undefined ? {} : { authFailureBudget: options.authFailureBudget }),
      });
      // Taken since the probe: the same message (the first run, if any, is done by now).
      await step(
        app.listen({ host: options.host, port: options.port }).catch((err: unknown) => {
          throw describeListenFailure(err, options.host, options.port, false) ?? err;
        }),
      );
      deps.io.out(`Mail: ${mailer.description}\nSign-up: ${describeSignupPolicy(options.accounts.signup)}\n`);
      deps.io.out(`codika-server listening on ${urlOf(app, options.host)}\n`);

      const signal = await stopRequested;
      deps.io.err(
        `codika-server: ${signal} received, shutting down (at most ${options.shutdownTimeoutMs / 1000} s; another signal stops at once)\n`,
      );
      const report = await shutdownGracefully(app, app.connectionGuard, options.shutdownTimeoutMs, deps.waitForShutdown());
      app = undefined;
      deps.io.err(
        `codika-server: stopped in ${report.ms} ms` +
          (report.cutAtDeadline > 0 ? ` (${report.cutAtDeadline} requests cut at the deadline)` : '') +
          '\n',
      );
      return EXIT_OK;
    } catch (err) {
      if (!(err instanceof StoppedDuringStartUp)) throw err;
      deps.io.err(`codika-server: ${err.signal} received during start-up, stopping\n`);
      return EXIT_OK;
    } finally {
      if (app) await app.close();
      await mailer.close?.();
      await store?.close();
    }
  });
}

export function registerStart(program: Command, deps: StartDeps, env: Env, done: (code: number) => void): void {
  addDatabaseOptions(program.command('start').description('run the platform API in the foreground (SIGINT/SIGTERM stop it)'))
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'port to listen on (0: any free port)', String(DEFAULT_PORT))
    .option('--first-run-bootstrap', 'on an empty database, create a first organization and owner key and print the key once')
    .option(AUTH_FAILURE_BUDGET_FLAG, AUTH_FAILURE_BUDGET_HELP)
    .option(
      '--smtp-url <url>',
      `mail sign-in codes through this SMTP server, e.g. smtp://user:pass@mail.example.com:587 (default: $${SMTP_URL_ENV}; none: codes are printed on this terminal)`,
    )
    .option('--mail-from <address>', `sender of the code mails (default: $${MAIL_FROM_ENV} or "codika <no-reply@localhost>")`)
    .option('--signup <closed|open>', `who may sign up and create organizations (default: $${SIGNUP_ENV} or closed)`)
    .option(
      '--signup-domains <domains>',
      `open sign-up to addresses of these comma-separated domains only (default: $${SIGNUP_DOMAINS_ENV})`,
    )
    .option(
      '--log-level <level>',
      `request log level: ${LOG_LEVELS.filter((l) => l !== 'silent').join(', ')}, or off (default: $${LOG_LEVEL_ENV} or info)`,
    )
    .option(
      '--log-format <json|pretty>',
      `request log lines: json (for machines) or pretty (one short line per request) (default: $${LOG_FORMAT_ENV}, else pretty on a terminal and json otherwise)`,
    )
    .option(TRUST_PROXY_FLAG, TRUST_PROXY_HELP)
    .option(
      '--key-concurrency <n>',
      `requests of one API key served at once; the others wait their turn, so one key's flood cannot crowd out other organizations ("off" to disable; default ${DEFAULT_KEY_CONCURRENCY.perKey})`,
    )
    .option(
      '--pool-size <n>',
      `PostgreSQL: connections this instance holds to the database (default ${POSTGRES_POOL_MAX}); mind the database's max_connections across all instances`,
    )
    .option(
      '--request-timeout <seconds>',
      `time a client has to send a whole request, headers and body (default ${DEFAULT_TRANSPORT_LIMITS.requestTimeoutMs / 1000})`,
    )
    .option(
      '--keep-alive-timeout <seconds>',
      `idle keep-alive connections are closed after this; behind a load balancer, set it above the balancer's idle timeout (default ${DEFAULT_TRANSPORT_LIMITS.keepAliveTimeoutMs / 1000})`,
    )
    .option(
      '--max-connections <n>',
      `connections held at once; past it the stalest idle or incomplete one is closed (default ${DEFAULT_TRANSPORT_LIMITS.maxConnections})`,
    )
    .option(
      '--shutdown-timeout <seconds>',
      `on SIGTERM/SIGINT, how long requests already received may take to finish (default ${DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000})`,
    )
    .action(async (raw) => {
      done(await guard(deps.io, async () => runStart(parseStartOptions(raw, env), deps)));
    });
}
