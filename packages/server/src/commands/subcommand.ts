/**
 * The skeleton every operator subcommand shares, written once: how it is registered (its own
 * options, the database options, --json), how it runs (open and migrate the store, act,
 * close), how it reports (the result as JSON with --json, else text for a person) and how a
 * failure becomes its exit code (UsageError: 2, anything else: 1). A subcommand's file holds
 * only what is its own: its options, their parsing and what it does with the store.
 */
import type { Command } from 'commander';
import { StoreOpenError } from '../store/errors.js';
import type { StoreOptions } from '../store/index.js';
import type { Organization, Store } from '../store/types.js';
import { type CommandDeps, type CommandIO, EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, UsageError } from './command-deps.js';
import { requireOrganization } from './operator.js';
import { addDatabaseOptions, type Env, type OrgOptions, type SubcommandOptions } from './options.js';
import { ListenError } from './start-preflight.js';

/** Open and migrate the store, run `fn`, always close. */
export async function withStore<T>(deps: CommandDeps, database: StoreOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await deps.openStore(database);
  try {
    await store.migrate();
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Run a command body and turn failures into exit codes: UsageError → message, 2; a database
 * that cannot be used (StoreOpenError) or an address start cannot listen on (ListenError) → its message, 1; anything else → generic message with
 * the error's own message, 1.
 */
export async function guard(io: CommandIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`codika-server: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof StoreOpenError || err instanceof ListenError) {
      io.err(`codika-server: ${err.message}\n`);
      return EXIT_UNEXPECTED;
    }
    io.err(`codika-server: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_UNEXPECTED;
  }
}

export function printJson(io: CommandIO, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * What a subcommand did: `data` is printed as JSON with --json, `text` (newline included)
 * otherwise; `warning` (newline included), when there is one, goes to stderr either way.
 */
export interface Report {
  data: unknown;
  text: string;
  warning?: string;
}

/** Open and migrate the store, act, close it, then print the report: the exit code. */
export function runSubcommand(
  options: SubcommandOptions,
  deps: CommandDeps,
  act: (store: Store) => Promise<Report>,
): Promise<number> {
  return guard(deps.io, async () => {
    const report = await withStore(deps, options.database, act);
    if (options.json) printJson(deps.io, report.data);
    else deps.io.out(report.text);
    if (report.warning !== undefined) deps.io.err(report.warning);
    return EXIT_OK;
  });
}

/** runSubcommand on the organization named by --organization-id (an unknown one: exit 2). */
export function runOnOrganization(
  options: OrgOptions,
  deps: CommandDeps,
  act: (store: Store, organization: Organization) => Promise<Report>,
): Promise<number> {
  return runSubcommand(options, deps, async (store) => act(store, await requireOrganization(store, options.organizationId)));
}

export interface SubcommandSpec<Raw, Options> {
  name: string;
  description: string;
  /** Declare the subcommand's own options (between the database options and --json in its --help). */
  options(command: Command): Command;
  /** Check the flags commander parsed (a UsageError for a bad one). */
  parse(raw: Raw, env: Env): Options;
  run(options: Options, deps: CommandDeps): Promise<number>;
}

/** Register a subcommand under `parent`; the exit code of each run goes to `done`. */
export function registerSubcommand<Raw, Options>(
  parent: Command,
  spec: SubcommandSpec<Raw, Options>,
  deps: CommandDeps,
  env: Env,
  done: (code: number) => void,
): void {
  spec
    .options(addDatabaseOptions(parent.command(spec.name).description(spec.description)))
    .option('--json', 'print the result as JSON')
    .action(async (raw: Raw) => {
      done(await guard(deps.io, async () => spec.run(spec.parse(raw, env), deps)));
    });
}
