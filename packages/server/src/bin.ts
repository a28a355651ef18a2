#!/usr/bin/env node
/** `codika-server`: the only module that touches the process (argv, env, streams, signals, exit code). */
import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import { runCli } from './commands/program.js';
import { openStore } from './store/index.js';

const code = await runCli(
  process.argv.slice(2),
  {
    io: {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    },
    clock: systemClock,
    stdoutIsTTY: process.stdout.isTTY === true,
    openStore,
    buildApp,
    waitForShutdown: () =>
      new Promise<string>((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          resolve(signal);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      }),
  },
  process.env,
);

process.exitCode = code;
// Everything is closed by now; if a stray handle still holds the event loop, do not hang.
setTimeout(() => process.exit(code), 3000).unref();
