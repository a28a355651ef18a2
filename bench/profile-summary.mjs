/**
 * Summarize a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package,
 * to read what a flame graph shows without a browser.
 *
 *   node bench/profile-summary.mjs <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const total = profile.samples.length;
for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);

function where(url) {
  if (!url) return '(native/V8)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:internal';
  const m = /packages\/([^/]+)\//.exec(url);
  return m ? `codika/${m[1]}` : url;
}

const fn = new Map();
const pkg = new Map();
for (const [id, count] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${where(cf.url)}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  fn.set(key, (fn.get(key) ?? 0) + count);
  const p = cf.functionName === '(idle)' ? '(idle)' : where(cf.url);
  pkg.set(p, (pkg.get(p) ?? 0) + count);
}
const pct = (c) => `${((100 * c) / total).toFixed(1).padStart(5)}%`;
console.log(`samples: ${total}\n\nself time by package:`);
for (const [k, c] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(c)}  ${k}`);
console.log('\nself time by function:');
for (const [k, c] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(c)}  ${k}`);
