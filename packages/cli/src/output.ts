/**
 * Output discipline: results on stdout, errors/warnings on stderr, progress on stderr and only on a
 * terminal, colour only on a terminal (NO_COLOR disables, FORCE_COLOR forces).
 */
import type { Deps, Env, Io, Writer } from './deps.js';

export interface Colors {
  enabled: boolean;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const plain: Colors = {
  enabled: false,
  green: String,
  red: String,
  yellow: String,
  dim: String,
  bold: String,
};

/** https://no-color.org: NO_COLOR (non-empty) wins; FORCE_COLOR (not "0"/"false") forces; else a TTY. */
export function colorEnabled(env: Env, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && env.TERM !== 'dumb';
}

/**
 * picocolors is loaded only when colour is used: at load it reads process.stdout.isTTY, which
 * creates the stdout stream (a few ms that a piped or NO_COLOR run does not need to spend).
 */
export async function colorsFor(env: Env, isTTY: boolean): Promise<Colors> {
  if (!colorEnabled(env, isTTY)) return plain;
  const pc = (await import('picocolors')).default.createColors(true);
  return { enabled: true, green: pc.green, red: pc.red, yellow: pc.yellow, dim: pc.dim, bold: pc.bold };
}

export function writeJson(out: Writer, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function line(out: Writer, text = ''): void {
  out.write(`${text}\n`);
}

/** Shows "Updating API key…" on a terminal's stderr; the returned function erases it. */
export function progress(io: Io, message: string): () => void {
  if (!io.stderrIsTTY) return () => {};
  io.stderr.write(message);
  return () => io.stderr.write('\r\x1b[2K');
}

export function formatScopes(scopes: readonly string[]): string {
  return scopes.length > 0 ? scopes.join(', ') : '(none)';
}

/** Rows as columns two spaces apart, each as wide as its widest cell (the last one unpadded). */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * A table on stdout: on a terminal aligned, with a bold header (`terminalRows` may shorten cells
 * for the screen); otherwise tab-separated lines with the header first, for cut and awk.
 */
export async function writeTable(
  deps: Pick<Deps, 'io' | 'env'>,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  terminalRows: readonly (readonly string[])[] = rows,
): Promise<void> {
  const out = deps.io.stdout;
  if (!deps.io.stdoutIsTTY) {
    for (const r of [header, ...rows]) line(out, r.join('\t'));
    return;
  }
  const c = await colorsFor(deps.env, true);
  const [head, ...body] = formatTable([header, ...terminalRows]);
  line(out, c.bold(head!));
  for (const r of body) line(out, r);
}
