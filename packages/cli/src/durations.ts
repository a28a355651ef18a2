/**
 * Times given on the command line: a duration back from now (`30m`, `12h`, `7d`, `2w`) or an
 * ISO 8601 date or time (`2026-03-01`, `2026-03-01T12:00:00Z`). The server takes ISO times only.
 */
import { ValidationError } from './errors.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d{1,6})([smhdw])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A duration such as `7d` in milliseconds (s, m, h, d, w); a ValidationError (exit 2) otherwise. */
export function parseDuration(value: string, flag: string): number {
  const match = DURATION.exec(value.trim());
  if (match === null) {
    throw new ValidationError(`${flag} must be a duration such as 30m, 12h, 7d or 2w, got "${value}".`);
  }
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** A point in time as given: a duration back from the moment the command runs, or a fixed time. */
export type When = { agoMs: number } | { at: string };

/** Parse a time option without a clock (parse() has none); `resolveWhen` makes it a time in run(). */
export function parseWhenOption(value: string, flag: string): When {
  const text = value.trim();
  if (DURATION.test(text)) return { agoMs: parseDuration(text, flag) };
  return { at: parseWhen(text, flag, new Date(0)) };
}

export function resolveWhen(when: When, now: Date): string {
  return 'at' in when ? when.at : new Date(now.getTime() - when.agoMs).toISOString();
}

/**
 * A point in time as the server takes it (ISO with milliseconds, UTC): `7d` is seven days
 * before `now`; a date or time is taken as written (a date alone, or a time without zone: UTC).
 */
export function parseWhen(value: string, flag: string, now: Date): string {
  const text = value.trim();
  if (DURATION.test(text)) return new Date(now.getTime() - parseDuration(text, flag)).toISOString();
  if (ISO_DATE.test(text)) {
    const zoned = /[T ]/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
    const ms = Date.parse(zoned);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  throw new ValidationError(
    `${flag} must be a duration back from now (30m, 12h, 7d, 2w) or an ISO date or time (2026-03-01, 2026-03-01T12:00:00Z), got "${value}".`,
  );
}
