/**
 * Global set-up of `npm run test:hardening`: start with an empty figures file; at the end
 * print every figure again in one block and write them, with the date and the machine, to
 * test-artifacts/hardening-results.json (docs/security.md quotes that file).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { ARTIFACTS_DIR, FIGURES_FILE, type FigureRecord, figureLine } from './support/figures.js';

export default function setup(): () => void {
  rmSync(FIGURES_FILE, { force: true });
  const started = new Date();
  return () => {
    const lines = existsSync(FIGURES_FILE)
      ? readFileSync(FIGURES_FILE, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '')
      : [];
    const entries = lines.map((l) => JSON.parse(l) as FigureRecord | { suite: string; note: string });
    const figures = entries.filter((e): e is FigureRecord => 'value' in e);
    const notes = entries.filter((e): e is { suite: string; note: string } => !('value' in e));
    const off = figures.filter((f) => !f.ok);
    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      platform: `${process.platform} ${process.arch}`,
      node: process.version,
    };
    const result = {
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      seconds: Math.round((Date.now() - started.getTime()) / 1000),
      machine,
      postgres: Boolean(process.env.CODIKA_TEST_DATABASE_URL?.trim()),
      figures,
      notes,
      off: off.length,
    };
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    writeFileSync(join(ARTIFACTS_DIR, 'hardening-results.json'), `${JSON.stringify(result, null, 2)}\n`);
    const out = [
      '',
      `hardening figures (${result.startedAt}, ${result.seconds} s, ${machine.cores} × ${machine.cpu}, node ${machine.node})`,
      ...notes.map((n) => `note: ${n.suite}: ${n.note}`),
      ...figures.map(figureLine),
      off.length === 0
        ? `all ${figures.length} figures within their bounds`
        : `${off.length} of ${figures.length} figures OFF their bounds`,
      `written to ${join(ARTIFACTS_DIR, 'hardening-results.json')}`,
      '',
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  };
}
