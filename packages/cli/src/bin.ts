#!/usr/bin/env node
/**
 * The entry point, and the only module that touches `process`: builds the real dependencies and
 * runs the CLI. Help and version are answered before the commands are loaded (help.ts); the
 * commands, commander and the router are a second file of the shipped bundle (cli.ts →
 * dist/codika-cli.mjs, see scripts/bundle.mjs), loaded only to run a command.
 */
import { createRequire } from 'node:module';
import { configPath, FileConfigStore } from './config-store.js';
import type { Deps, Files, Prompter } from './deps.js';
import { answerHelpOrVersion } from './help.js';
import { httpFetch } from './http-fetch.js';

const requireCjs = createRequire(import.meta.url);

async function version(): Promise<string> {
  try {
    return (requireCjs('../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

let ttyModule: typeof import('node:tty') | undefined;

/**
 * Whether a file descriptor is a terminal, answered without creating the stream (creating
 * process.stderr just to ask cost a few ms per run). node:tty is loaded on first use: `--help`
 * never asks.
 */
function isatty(fd: number): boolean {
  ttyModule ??= requireCjs('node:tty') as typeof import('node:tty');
  return ttyModule.isatty(fd);
}

/** The terminal prompter; it and @clack/prompts behind it are a separate file, loaded on the first prompt. */
async function clack(): Promise<Prompter> {
  const { createClackPrompter } = await import('./prompter.js');
  return createClackPrompter(process.stdin, process.stderr);
}

const prompter: Prompter = {
  password: async (message) => (await clack()).password(message),
  confirm: async (message) => (await clack()).confirm(message),
  select: async (message, choices) => (await clack()).select(message, choices),
};

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

// Streams are created on first write: touching process.stdin/stdout/stderr costs start-up time.
const io: Deps['io'] = {
  stdout: { write: (s) => stdout().write(s) },
  stderr: { write: (s) => process.stderr.write(s) },
  get stdoutIsTTY() {
    return isatty(1);
  },
  get stderrIsTTY() {
    return isatty(2);
  },
  get stdinIsTTY() {
    return isatty(0);
  },
};

/** The user's files (completion --install/--uninstall); node:fs/promises is loaded on first use. */
const files: Files = {
  get home() {
    return process.env.HOME && process.env.HOME !== ''
      ? process.env.HOME
      : (requireCjs('node:os') as typeof import('node:os')).homedir();
  },
  async read(path) {
    const fs = await import('node:fs/promises');
    try {
      return await fs.readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  },
  async write(path, text) {
    const fs = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    await fs.mkdir(dirname(path), { recursive: true });
    await fs.writeFile(path, text, { mode: 0o644 });
  },
  async remove(path) {
    const fs = await import('node:fs/promises');
    try {
      await fs.unlink(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  },
};

const argv = process.argv.slice(2);
if (!(await answerHelpOrVersion(argv, io.stdout, version))) {
  const { runCli } = await import('./cli.js');
  process.exitCode = await runCli(
    argv,
    {
      io,
      env: process.env,
      fetch: httpFetch,
      config: new FileConfigStore(configPath(process.env)),
      clock: { now: () => new Date() },
      prompter,
      files,
    },
    version,
  );
}
