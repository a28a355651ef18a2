/**
 * What every operator subcommand is given instead of touching the process: its output
 * streams, the environment, the clock and a way to open the store. bin.ts builds the real
 * one; tests build one with captured output and an in-memory store.
 */
import type { Clock } from '../clock.js';
import { StoreOpenError } from '../store/errors.js';
import type { StoreOptions } from '../store/index.js';
import type { Store } from '../store/types.js';

export interface CommandIO {
  /** Write text to standard output as-is (callers add the newline). */
  out(text: string): void;
  /** Write text to standard error as-is. */
  err(text: string): void;
}

export interface CommandDeps {
  io: CommandIO;
  clock: Clock;
  /** `check`: check an existing SQLite file first (PRAGMA quick_check), as `start` does. */
  openStore(options: StoreOptions, open?: { check?: boolean }): Promise<Store>;
}

/** The operator made a mistake (bad flag, unknown organization, …): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
export const EXIT_USAGE = 2;

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
 * that cannot be used (StoreOpenError) → its message, 1; anything else → generic message with
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
    if (err instanceof StoreOpenError) {
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
