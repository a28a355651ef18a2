/**
 * Everything a command touches outside itself, injected so that tests can run a
 * command without a process, a network, a terminal or a home directory.
 * Only src/bin.ts builds the real ones from `process`.
 */
import type { ConfigStore } from './config-store.js';

export interface Writer {
  write(chunk: string): void;
}

export interface Io {
  stdout: Writer;
  stderr: Writer;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  stdinIsTTY: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface Clock {
  now(): Date;
}

export interface Choice {
  value: string;
  label: string;
  hint?: string;
}

export interface Prompter {
  /** Masked input; resolves undefined when the user cancels (Ctrl-C / Esc). */
  password(message: string): Promise<string | undefined>;
  /** Yes/no; resolves false when the user cancels. */
  confirm(message: string): Promise<boolean>;
  /** One of `choices` (its value); resolves undefined when the user cancels. */
  select(message: string, choices: readonly Choice[]): Promise<string | undefined>;
}

export interface Deps {
  io: Io;
  env: Env;
  fetch: FetchFn;
  config: ConfigStore;
  clock: Clock;
  prompter: Prompter;
}
