/**
 * The request log for people: `start` on a terminal writes each pino line (logging.ts) as one
 * short line instead of JSON (`--log-format pretty`, the default when standard output is a
 * terminal; `json` otherwise, for machines, as before):
 *
 *   12:08:31.204  POST /updateorganizationapikeypublic  403 INSUFFICIENT_SCOPE  4.1 ms  key 01a2…
 *   12:08:31.950  info  Server listening at http://127.0.0.1:8787
 *
 * Only the fields logging.ts already chose to log are shown (no headers, no bodies), and the
 * path is the one it already redacted.
 */

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** pino's levels, and `silent` (with `off` as its other name) for no request log at all. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

interface LogLine {
  level?: number;
  time?: number;
  msg?: string;
  req?: { method?: string; url?: string };
  res?: { statusCode?: number };
  responseTime?: number;
  errorCode?: string;
  callerKeyId?: string;
  callerUserId?: string;
  err?: { type?: string; message?: string; stack?: string };
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** The time of day (local), to the millisecond. */
function clock(time: number | undefined): string {
  const d = new Date(time ?? Date.now());
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** One pino JSON line as one line for people (plus the error's stack, indented, for an error). */
export function formatLogLine(json: string): string {
  let line: LogLine;
  try {
    line = JSON.parse(json) as LogLine;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVEL_NAMES[line.level ?? 30] ?? String(line.level);
  const parts = [clock(line.time)];
  if (line.req !== undefined && line.res !== undefined) {
    parts.push(`${line.req.method ?? '?'} ${line.req.url ?? '?'}`);
    parts.push(line.errorCode === undefined ? String(line.res.statusCode) : `${line.res.statusCode} ${line.errorCode}`);
    if (typeof line.responseTime === 'number') parts.push(`${line.responseTime.toFixed(1)} ms`);
    if (line.callerKeyId !== undefined) parts.push(`key ${line.callerKeyId}`);
    else if (line.callerUserId !== undefined) parts.push(`user ${line.callerUserId}`);
    if (level !== 'info') parts.splice(1, 0, level);
  } else {
    parts.push(level, line.msg ?? '');
  }
  let text = `${parts.join('  ')}\n`;
  if (line.err !== undefined) {
    const detail = line.err.stack ?? `${line.err.type ?? 'Error'}: ${line.err.message ?? ''}`;
    text += `${detail
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n')}\n`;
  }
  return text;
}

/** A pino destination that writes each line through formatLogLine to `out`. */
export function prettyLogStream(out: { write(text: string): unknown }): { write(chunk: string): boolean } {
  return {
    write(chunk: string): boolean {
      for (const json of chunk.split('\n')) if (json.trim() !== '') out.write(formatLogLine(json));
      return true;
    },
  };
}
