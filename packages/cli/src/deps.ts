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

/** The user's own files that `completion --install/--uninstall` edit (a shell's start-up file). */
export interface Files {
  /** The user's home directory. */
  readonly home: string;
  /** The file's text, or undefined when it does not exist. */
  read(path: string): Promise<string | undefined>;
  /** Writes the file (its folder created when missing; a new file gets mode 0644). */
  write(path: string, text: string): Promise<void>;
  /** Removes the file; false when there was none. */
  remove(path: string): Promise<boolean>;
}

export interface Deps {
  io: Io;
  env: Env;
  fetch: FetchFn;
  config: ConfigStore;
  clock: Clock;
  prompter: Prompter;
  files: Files;
}
