/**
 * `codika-server start [--host 127.0.0.1] [--port 8787] [--first-run-bootstrap]` — run the
 * platform API in the foreground until SIGINT/SIGTERM, then close the server and the store.
 *
 * With --first-run-bootstrap (what `npm start` passes), the very first start on an empty
 * database creates "Default Organization", its owner owner@localhost and an owner key with
 * all ten scopes; the key is printed once and written (mode 0600) to `owner-key` beside the
 * SQLite database file (on PostgreSQL it is only printed). Later starts only say where that file is.
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
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { consoleMailer, type Mailer } from '../accounts/mailer.js';
import { describeSignupPolicy } from '../accounts/policy.js';
import { smtpMailer } from '../accounts/smtp-mailer.js';
import type { AppDeps } from '../app.js';
import type { AuthFailureBudget } from '../http/auth-throttle.js';
import type { StoreOptions } from '../store/index.js';
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
import { bootstrapOrganization } from './bootstrap.js';
import { type CommandDeps, EXIT_OK } from './command-deps.js';
import { addDatabaseOptions, type DatabaseFlags, type Env, parsePort, requireString, resolveDatabase } from './options.js';
import { guard } from './subcommand.js';

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
}

export interface StartDeps extends CommandDeps {
  buildApp(deps: AppDeps): Promise<FastifyInstance>;
  /** Passed to buildApp (request logs). */
  logger?: AppDeps['logger'];
  /** Called once, before listening; resolves with the signal name when the process is asked to stop. */
  waitForShutdown(): Promise<string>;
}

export function parseStartOptions(
  raw: DatabaseFlags &
    AccountsFlags & { host?: unknown; port?: unknown; firstRunBootstrap?: boolean; authFailureBudget?: unknown },
  env: Env,
): StartOptions {
  return {
    database: resolveDatabase(raw, env),
    host: requireString(raw.host ?? DEFAULT_HOST, '--host'),
    port: parsePort(raw.port ?? DEFAULT_PORT),
    firstRunBootstrap: raw.firstRunBootstrap === true,
    authFailureBudget: parseAuthFailureBudget(raw.authFailureBudget, env),
    accounts: parseAccountsOptions(raw, env),
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

async function firstRun(store: Store, options: StartOptions, deps: StartDeps): Promise<void> {
  const keyFile = ownerKeyFileOf(options.database);
  if (!(await store.isEmpty())) {
    if (keyFile && existsSync(keyFile)) deps.io.out(`Owner key (from the first start): ${keyFile}\n`);
    return;
  }
  const result = await bootstrapOrganization(store, deps.clock, {
    orgName: FIRST_RUN_ORG_NAME,
    ownerEmail: FIRST_RUN_OWNER_EMAIL,
  });
  let saved = false;
  if (keyFile) {
    try {
      writeFileSync(keyFile, `${result.apiKey}\n`, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      saved = true;
    } catch (err) {
      deps.io.err(`codika-server: could not write ${keyFile}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  deps.io.out(
    [
      `First start: created "${FIRST_RUN_ORG_NAME}" (${result.organizationId}) with owner ${FIRST_RUN_OWNER_EMAIL}.`,
      `Owner API key, with all ten scopes. It is shown this once${saved ? `, and saved to ${keyFile} (mode 0600)` : '; store it now'}:`,
      '',
      `  ${result.apiKey}`,
      '',
      '',
    ].join('\n'),
  );
}

export async function runStart(options: StartOptions, deps: StartDeps): Promise<number> {
  return guard(deps.io, async () => {
    const stopRequested = deps.waitForShutdown();
    const store = await deps.openStore(options.database);
    const mailer = mailerOf(options.accounts, deps);
    let app: FastifyInstance | undefined;
    try {
      await store.migrate();
      if (options.firstRunBootstrap) await firstRun(store, options, deps);
      app = await deps.buildApp({
        store,
        clock: deps.clock,
        mailer,
        signup: options.accounts.signup,
        ...(deps.logger === undefined ? {} : { logger: deps.logger }),
        ...(options.authFailureBudget === undefined ? {} : { authFailureBudget: options.authFailureBudget }),
      });
      await app.listen({ host: options.host, port: options.port });
      deps.io.out(`Mail: ${mailer.description}\nSign-up: ${describeSignupPolicy(options.accounts.signup)}\n`);
      deps.io.out(`codika-server listening on ${urlOf(app, options.host)}\n`);

      const signal = await stopRequested;
      deps.io.err(`codika-server: ${signal} received, shutting down\n`);
      return EXIT_OK;
    } finally {
      await app?.close();
      await mailer.close?.();
      await store.close();
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
    .action(async (raw) => {
      done(await guard(deps.io, async () => runStart(parseStartOptions(raw, env), deps)));
    });
}
