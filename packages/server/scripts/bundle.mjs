/**
 * The shipped `codika-server`, built by the root `npm run build` after `tsc -b` and the
 * dashboard's build: one esbuild bundle of the compiled server, dist/codika-server.mjs, with
 * every pure-JavaScript dependency inside it (Fastify, pino, Kysely, zod, pg, nodemailer,
 * commander, the contract), and a copy of the built dashboard in dist/dashboard/ (found by
 * src/dashboard-dir.ts). The packed tarball then installs with one dependency,
 * better-sqlite3 (native, so it stays a package), and the install is the same code as this
 * repository's build — including the lock file's overrides, which a global install of a
 * tarball would not apply. bin/codika-server.mjs loads the bundle. Needs esbuild (the
 * workspace has it through vite).
 */
import { chmodSync, cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const dashboard = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

await build({
  entryPoints: [`${dist}bin.js`],
  outfile: `${dist}codika-server.mjs`,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // better-sqlite3 is native (installed as the package's one dependency); pg-native is pg's
  // optional native driver, which codika does not use.
  external: ['better-sqlite3', 'pg-native'],
  // The CommonJS dependencies get a real `require`, `__filename` and `__dirname`.
  banner: {
    js: [
      "import { createRequire as __codikaCreateRequire } from 'node:module';",
      "import { fileURLToPath as __codikaFileURLToPath } from 'node:url';",
      'const require = __codikaCreateRequire(import.meta.url);',
      'const __filename = __codikaFileURLToPath(import.meta.url);',
      "const __dirname = __codikaFileURLToPath(new URL('.', import.meta.url));",
    ].join(' '),
  },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(`${dist}codika-server.mjs`, 0o755);

rmSync(`${dist}dashboard`, { recursive: true, force: true });
if (existsSync(`${dashboard}index.html`)) cpSync(dashboard, `${dist}dashboard`, { recursive: true });
else console.warn('codika-server bundle: the dashboard is not built; the packed server will serve none');
