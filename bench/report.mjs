/**
 * Rendering of the bench results ({ meta, figures, notes } as in bench/results.json): the full
 * report (bench/results.md) and the generated block of docs/performance.md.
 *
 *   node bench/report.mjs [results.json]   # re-render results.md and docs/performance.md's block from a results file
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function fmt(v, unit) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  if (unit === 'req/s' || unit === 'ops/s' || unit === 'commits/s') return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const SECTION_TITLES = {
  startup: '1. CLI start-up (wall time)',
  'startup-memory': '1b. CLI start-up (peak memory)',
  roundtrip: '2. CLI round trip',
  'throughput-sqlite': '3. Server throughput and latency — SQLite',
  'throughput-postgres': '3b. Server throughput and latency — PostgreSQL',
  'scale-sqlite': '4. Scale — SQLite',
  'scale-postgres': '4b. Scale — PostgreSQL',
  memory: '5. Server memory',
  'audit-sqlite': '6. Audit log queries at scale — SQLite',
  'audit-postgres': '6b. Audit log queries at scale — PostgreSQL',
  metrics: '7. The cost of the metrics',
};

function about(meta) {
  return [
    `- Machine: ${meta.cpus} × ${meta.cpuModel}, ${meta.memoryGb} GB RAM; Node ${meta.node}; ${meta.platform}`,
    `- Load: ${meta.loadGenerator}, ${meta.connections} connections, ${meta.duration} s per run, ${meta.runs} run(s) per figure after a warm-up; the generator runs in its own process`,
    `- Start-up: ${meta.startupTimer}, ${meta.startupRuns} runs per command; **\`NODE_EXTRA_CA_CERTS\` unset** (and a private HOME) for the floor and the CLI alike`,
    '- Updates write varying names and alternating scope sets; SQLite runs with `synchronous=FULL` (WAL), every answer after its commit is durable',
    ...(meta.loadAverage
      ? [
          `- Machine load during the load runs (1-minute load average, ${meta.cpus} cores): median ${meta.loadAverage.median.toFixed(1)}, ${meta.loadAverage.min.toFixed(1)}–${meta.loadAverage.max.toFixed(1)}; other jobs share the machine, so only same-run ratios are comparable`,
        ]
      : []),
    ...(meta.postgres
      ? [
          `- PostgreSQL: ${meta.postgres}; codika-server's pool: ${meta.poolSize ?? 'default'}; the reference handler and the commit loop use the same database`,
        ]
      : []),
    '- Each figure: median over runs, spread as min–max (and p25–p75 where there are ≥ 4 runs), the floor it is compared with, ratio = median ÷ floor median',
  ];
}

function tables({ figures }, level) {
  const lines = [];
  for (const [section, title] of Object.entries(SECTION_TITLES)) {
    const rows = figures.filter((f) => f.section === section);
    if (rows.length === 0) continue;
    lines.push(
      `${'#'.repeat(level)} ${title}`,
      '',
      '| Figure | Median | Spread | n | Floor | Ratio | Target | Met |',
      '|---|---:|---:|---:|---|---:|---|:---:|',
    );
    for (const f of rows) {
      const spread =
        f.n >= 4
          ? `${fmt(f.min, f.unit)}–${fmt(f.max, f.unit)} (IQR ${fmt(f.p25, f.unit)}–${fmt(f.p75, f.unit)})`
          : `${fmt(f.min, f.unit)}–${fmt(f.max, f.unit)}`;
      const floor = f.floor ? `${f.floor.label}: ${fmt(f.floor.median, f.unit)}` : '–';
      const ratio = f.ratio === undefined ? '–' : `${f.ratio.toFixed(2)}×`;
      const met = f.met === undefined ? '' : f.met ? 'yes' : '**no**';
      const label = f.errors ? `${f.label} ⚠ ${f.errors} errors` : f.label;
      lines.push(
        `| ${label} | ${fmt(f.median, f.unit)} ${f.unit} | ${spread} | ${f.n} | ${floor} | ${ratio} | ${f.target?.text ?? '–'} | ${met} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

/** How far a missed target is from being met, in words. */
function shortfall(f) {
  if (f.met !== false) return '';
  const pct = (x) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;
  if (f.target.maxRatio !== undefined) return `${pct(f.ratio / f.target.maxRatio - 1)} over`;
  if (f.target.minRatio !== undefined) return `${pct(1 - f.ratio / f.target.minRatio)} short`;
  if (f.target.max !== undefined) return `${pct(f.median / f.target.max - 1)} over`;
  return '';
}

/** One line per target: figure, ratio or value, target, met, shortfall. */
function targetTable({ figures }) {
  const lines = ['| Where | Figure | Value | Target | Met | Shortfall |', '|---|---|---:|---|:---:|---|'];
  for (const f of figures.filter((x) => x.target)) {
    const value =
      f.ratio === undefined || f.target.max !== undefined ? `${fmt(f.median, f.unit)} ${f.unit}` : `${f.ratio.toFixed(2)}×`;
    const where = (SECTION_TITLES[f.section] ?? f.section).replace(/^[0-9a-z.]+ /, '');
    lines.push(`| ${where} | ${f.label} | ${value} | ${f.target.text} | ${f.met ? 'yes' : '**no**'} | ${shortfall(f)} |`);
  }
  return lines;
}

export function renderResults(results) {
  const { meta, notes } = results;
  const lines = [
    '# codika benchmark results',
    '',
    `Generated by \`npm run bench\`${meta.smoke ? ' in **--smoke** mode (tiny durations; figures are not meaningful)' : ''} on ${meta.date}.`,
    '',
    ...about(meta),
    '',
    '## Targets',
    '',
    ...targetTable(results),
    '',
    ...tables(results, 2),
  ];
  if (notes.length > 0) lines.push('## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}

const START = '<!-- bench:results:start (generated by npm run bench; do not edit by hand) -->';
const END = '<!-- bench:results:end -->';

/** Replace the generated block of docs/performance.md; false when the file or its markers are missing. */
export function updatePerformanceDoc(file, results) {
  if (!existsSync(file)) return false;
  const text = readFileSync(file, 'utf8');
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a === -1 || b === -1 || b < a) return false;
  const { meta, notes } = results;
  const block = [
    START,
    '',
    `Latest run: ${meta.date} (\`npm run bench\`, ${meta.seconds} s; the full report is bench/results.md).`,
    '',
    ...about(meta),
    '',
    '### Targets',
    '',
    ...targetTable(results),
    '',
    ...tables(results, 3),
    ...(notes.length > 0 ? ['Notes:', '', ...notes.map((n) => `- ${n}`), ''] : []),
    END,
  ].join('\n');
  writeFileSync(file, text.slice(0, a) + block + text.slice(b + END.length));
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const source = process.argv[2] ?? fileURLToPath(new URL('results.json', import.meta.url));
  const doc = fileURLToPath(new URL('../docs/performance.md', import.meta.url));
  const results = JSON.parse(readFileSync(source, 'utf8'));
  writeFileSync(source.replace(/\.json$/, '.md'), renderResults(results));
  const ok = updatePerformanceDoc(doc, results);
  process.stdout.write(ok ? `updated ${doc} from ${source}\n` : `no generated block in ${doc}\n`);
}
