/**
 * Figures: every measured number of the hardening suite is printed as one line
 *   figure: <suite>: <name> = <value> (bound <bound>) OK|OFF
 * appended to test-artifacts/hardening/figures.jsonl (merged into
 * test-artifacts/hardening-results.json by global-setup.ts), and asserted with expect.soft
 * so that every figure of a test is printed even when an earlier one is off.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts');
export const FIGURES_FILE = join(ARTIFACTS_DIR, 'hardening', 'figures.jsonl');

export type Bound = { eq: number } | { max: number } | { min: number };

export interface FigureRecord {
  suite: string;
  name: string;
  value: number;
  bound: string;
  ok: boolean;
  note?: string;
  at: string;
}

export function boundText(bound: Bound): string {
  if ('eq' in bound) return `${bound.eq}`;
  if ('max' in bound) return `≤ ${bound.max}`;
  return `≥ ${bound.min}`;
}

export function withinBound(value: number, bound: Bound): boolean {
  if (!Number.isFinite(value)) return false;
  if ('eq' in bound) return value === bound.eq;
  if ('max' in bound) return value <= bound.max;
  return value >= bound.min;
}

export function figureLine(f: Pick<FigureRecord, 'suite' | 'name' | 'value' | 'bound' | 'ok' | 'note'>): string {
  return `figure: ${f.suite}: ${f.name} = ${f.value} (bound ${f.bound}) ${f.ok ? 'OK' : 'OFF'}${f.note ? ` — ${f.note}` : ''}`;
}

/** Record, print and (softly) assert one figure. Returns whether it is within its bound. */
export function figure(suite: string, name: string, value: number, bound: Bound, note?: string): boolean {
  const ok = withinBound(value, bound);
  const record: FigureRecord = {
    suite,
    name,
    value,
    bound: boundText(bound),
    ok,
    ...(note === undefined ? {} : { note }),
    at: new Date().toISOString(),
  };
  const line = figureLine(record);
  console.log(line);
  mkdirSync(dirname(FIGURES_FILE), { recursive: true });
  appendFileSync(FIGURES_FILE, `${JSON.stringify(record)}\n`);
  expect.soft(ok, line).toBe(true);
  return ok;
}

/** A line that is not a figure (a skipped half, a seed to replay), kept with the figures. */
export function note(suite: string, text: string): void {
  console.log(`note: ${suite}: ${text}`);
  mkdirSync(dirname(FIGURES_FILE), { recursive: true });
  appendFileSync(FIGURES_FILE, `${JSON.stringify({ suite, note: text, at: new Date().toISOString() })}\n`);
}
