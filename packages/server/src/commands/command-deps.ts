/**
 * What every operator subcommand is given instead of touching the process: its output
 * streams, the clock and a way to open the store (the environment is read by its option parser).
 * bin.ts builds the real one; tests build one with captured output and an in-memory store.
 * How a subcommand runs with them is subcommand.ts.
 */
import type { Clock } from '../clock.js';
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
