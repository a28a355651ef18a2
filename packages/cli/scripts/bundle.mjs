/**
 * The shipped `codika` binary, built by the root `npm run build` after `tsc -b`: two esbuild
 * bundles of the compiled CLI, so a run loads two or three files instead of ~20 ES modules
 * (resolving and loading them was most of a run's time after Node's own start-up):
 *
 * - dist/codika.mjs — the entry (bin.js) with the config store and the HTTP client; it answers
 *   `--help` from dist/help-text.js and `--version` itself (help.ts), and imports the rest only
 *   to run a command;
 * - dist/codika-cli.mjs — the router, every command, commander and the output helpers, in one
 *   file (a split per command cost more in module loading than it saved in parsing).
 *
 * - dist/codika-prompter.mjs — the prompter with @clack/prompts inside, loaded only to prompt.
 *
 * The help texts stay the compiled dist/help-text.js (no imports), loaded only to print help.
 * So the packed CLI needs no package at run time: its tarball has no dependencies. commander's
 * `node:child_process` import (for executable subcommands, which codika has none of; ≈ 4 ms per
 * run) is made lazy. Needs esbuild (the workspace has it through vite).
 */
import { chmodSync, rmSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // commander is CommonJS: give the bundle's CommonJS shims a real `require`.
  banner: {
    js: "import { createRequire as __codikaCreateRequire } from 'node:module'; const require = __codikaCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
};

/** Imports that stay separate files at run time: `specifier` → the path the bundle imports. */
function keepSeparate(paths) {
  return {
    name: 'keep-separate',
    setup(b) {
      b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (args) =>
        args.path in paths ? { path: paths[args.path], external: true } : undefined,
      );
    },
  };
}

const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${sep}node_modules${sep}commander${sep}`)
        ? { path: 'child_process', namespace: 'codika-lazy' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'codika-lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

rmSync(`${dist}chunks`, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [`${dist}bin.js`],
  outfile: `${dist}codika.mjs`,
  plugins: [
    keepSeparate({
      './cli.js': './codika-cli.mjs',
      './help-text.js': './help-text.js',
      './prompter.js': './codika-prompter.mjs',
    }),
  ],
});
await build({
  ...common,
  entryPoints: [`${dist}cli.js`],
  outfile: `${dist}codika-cli.mjs`,
  plugins: [keepSeparate({ './help-text.js': './help-text.js', './prompter.js': './codika-prompter.mjs' }), lazyChildProcess],
});
await build({ ...common, entryPoints: [`${dist}prompter.js`], outfile: `${dist}codika-prompter.mjs` });
chmodSync(`${dist}codika.mjs`, 0o755);
