// Print the raw and gzip size of every shipped asset: `npm run size -w @codika/dashboard`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = new URL('../dist/assets/', import.meta.url).pathname;
let totals = { js: [0, 0], css: [0, 0] };
for (const name of readdirSync(dir).sort()) {
  const body = readFileSync(join(dir, name));
  const gz = gzipSync(body, { level: 9 }).length;
  const kind = name.endsWith('.js') ? 'js' : name.endsWith('.css') ? 'css' : undefined;
  if (kind) totals = { ...totals, [kind]: [totals[kind][0] + body.length, totals[kind][1] + gz] };
  console.log(
    `${name.padEnd(28)} ${(body.length / 1024).toFixed(1).padStart(6)} KiB  gzip ${(gz / 1024).toFixed(1).padStart(5)} KiB`,
  );
}
console.log(`JavaScript total: ${(totals.js[0] / 1024).toFixed(1)} KiB, gzip ${(totals.js[1] / 1024).toFixed(1)} KiB`);
console.log(`CSS total:        ${(totals.css[0] / 1024).toFixed(1)} KiB, gzip ${(totals.css[1] / 1024).toFixed(1)} KiB`);
