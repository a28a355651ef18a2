/**
 * The shipped `codika` binary: dist/codika.mjs, an esbuild bundle of the compiled CLI
 * (dist/bin.js) with code splitting, so each command still loads only its own code but in
 * a few files instead of ~20 modules (ESM resolution and loading were most of a run's time
 * after Node's own start-up). Run by the root `npm run build` after `tsc -b`.
 * Needs esbuild, which the workspace has through vite.
 */
import { chmodSync, rmSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * commander loads node:child_process at start-up (for executable subcommands, which codika
 * has none of): about 4 ms per run. Its import becomes a proxy that loads it on first use.
 */
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

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
rmSync(`${dist}chunks`, { recursive: true, force: true });
await build({
  entryPoints: { codika: `${dist}bin.js` },
  outdir: dist,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // commander is CommonJS: give the bundle's CommonJS shims a real `require`.
  banner: {
    js: "import { createRequire as __codikaCreateRequire } from 'node:module'; const require = __codikaCreateRequire(import.meta.url);",
  },
  plugins: [lazyChildProcess],
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(`${dist}codika.mjs`, 0o755);
