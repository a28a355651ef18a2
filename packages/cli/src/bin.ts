#!/usr/bin/env node
/**
 * The only module that touches `process`: builds the real dependencies and runs the CLI.
 * Everything else is loaded on demand by the router (see cli.ts).
 */
import { createRequire } from 'node:module';
import type { Config, ConfigStore } from './config-store.js';
import type { Deps, Prompter } from './deps.js';

// `import 'node:fs'` would build the whole fs namespace (and load fs streams) at start-up:
// use the CommonJS loader's cached copy, only when --version asks.
async function version(): Promise<string> {
  try {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

let ttyModule: typeof import('node:tty') | undefined;

/** Whether a file descriptor is a terminal; node:tty is loaded on first use (not for --help). */
function isatty(fd: number): boolean {
  ttyModule ??= createRequire(import.meta.url)('node:tty') as typeof import('node:tty');
  return ttyModule.isatty(fd);
}

const prompter: Prompter = {
  async password(message) {
    const { createClackPrompter } = await import('./prompter.js');
    return createClackPrompter(process.stdin, process.stderr).password(message);
  },
  async confirm(message) {
    const { createClackPrompter } = await import('./prompter.js');
    return createClackPrompter(process.stdin, process.stderr).confirm(message);
  },
};

/** The file-backed store, loaded on first use (`--help` never touches the config). */
class LazyConfigStore implements ConfigStore {
  private store?: Promise<ConfigStore>;
  private resolvedPath?: string;
  private load(): Promise<ConfigStore> {
    this.store ??= import('./config-store.js').then((m) => {
      const s = new m.FileConfigStore(m.configPath(process.env));
      this.resolvedPath = s.path;
      return s;
    });
    return this.store;
  }
  get path(): string {
    if (this.resolvedPath === undefined) throw new Error('config path read before the config was loaded');
    return this.resolvedPath;
  }
  async read(): Promise<Config> {
    return (await this.load()).read();
  }
  async write(config: Config): Promise<void> {
    return (await this.load()).write(config);
  }
}

/**
 * process.stdout, with a reader that went away (`codika … | head`) treated as the end of the
 * output rather than a crash: EPIPE ends the process quietly with the exit code so far.
 */
let stdoutGuarded = false;
function stdout(): NodeJS.WriteStream {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit();
      throw err;
    });
  }
  return process.stdout;
}

const deps: Deps = {
  // Streams are created on first use (touching process.stdin/stderr costs start-up time).
  io: {
    stdout: { write: (s) => stdout().write(s) },
    stderr: { write: (s) => process.stderr.write(s) },
    // isatty(fd) answers without creating the stream (creating process.stderr just to ask cost
    // a few ms per run when nothing is written to it).
    get stdoutIsTTY() {
      return isatty(1);
    },
    get stderrIsTTY() {
      return isatty(2);
    },
    get stdinIsTTY() {
      return isatty(0);
    },
  },
  env: process.env,
  // node:http rather than the global fetch, which loads undici at first use (http-fetch.ts).
  fetch: async (input, init) => (await import('./http-fetch.js')).httpFetch(input, init),
  config: new LazyConfigStore(),
  clock: { now: () => new Date() },
  prompter,
};

/**
 * Hand-routed first step: `--help` (and `codika help …`, bare `codika`) is answered from the
 * pre-rendered help texts without loading any command, commander, or the config store.
 */
function helpKey(argv: readonly string[]): string | undefined {
  const end = argv.indexOf('--');
  const tokens = end === -1 ? argv : argv.slice(0, end);
  let words: string[];
  if (tokens.length === 0) words = [];
  else if (tokens[0] === 'help') words = tokens.slice(1).filter((t) => !t.startsWith('-'));
  else if (tokens.includes('--help') || tokens.includes('-h')) {
    const firstOption = tokens.findIndex((t) => t.startsWith('-'));
    words = tokens.slice(0, firstOption === -1 ? tokens.length : firstOption);
  } else return undefined;
  return words.slice(0, 2).join(' ');
}

const argv = process.argv.slice(2);
const key = helpKey(argv);
const help = key === undefined ? undefined : (await import('./help-text.js')).HELP;
const text = help && key !== undefined ? (help[key] ?? help[key.split(' ')[0] ?? '']) : undefined;
if (text !== undefined) {
  stdout().write(text);
} else if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  stdout().write(`${await version()}\n`);
} else {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(argv, deps, version);
}
