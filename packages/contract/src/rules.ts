/**
 * Field limits and the rules that need no schema library, written once for both sides: the
 * server judges request bodies with them (through the zod schemas and the routes), the CLI judges
 * option values with them before any request. Zero dependencies: the CLI imports it at start-up.
 *
 * A rule answers the problem as a short phrase ("must not be empty") or `undefined`; each side
 * words it for its surface ("name must not be empty" in an API answer, "--name must not be
 * empty." on the command line).
 */

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 500;
export const EXPIRES_IN_DAYS_MAX = 365;
/** A rotation's grace period: the old secret keeps working at most this long (7 days). */
export const GRACE_PERIOD_MAX_SECONDS = 7 * 24 * 60 * 60;
/** Entries (addresses or CIDR ranges) of one key's IP allowlist. */
export const ALLOWED_IPS_MAX = 50;
/** The longest maximum key lifetime an organization may set (days); the same bound as expiresInDays. */
export const MAX_KEY_LIFETIME_DAYS_MAX = EXPIRES_IN_DAYS_MAX;
export const EMAIL_MAX = 254;
export const ORGANIZATION_NAME_MAX = 100;
export const ORGANIZATION_DESCRIPTION_MAX = 500;

// C0 controls, DEL and C1 controls are refused in names; descriptions may hold \t and \n.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const DESCRIPTION_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** With the u flag a surrogate pair is one code point; only a lone surrogate is \p{Cs}. */
const LONE_SURROGATE = /\p{Cs}/u;
/**
 * Characters that make displayed text lie: bidirectional controls (embeddings, overrides,
 * isolates, marks: a name can be made to read backwards in a terminal or a table) and
 * invisible formatting characters (zero-width space, word joiner and the invisible operators,
 * the byte-order mark). Zero-width joiner and non-joiner stay allowed: emoji sequences and
 * several scripts need them.
 */
const DISPLAY_FORBIDDEN = /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

/** What text people read must not hold, whatever its field (see DISPLAY_FORBIDDEN). */
function displayProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (no unpaired surrogate)';
  if (DISPLAY_FORBIDDEN.test(text)) return 'must not contain bidirectional controls or invisible formatting characters';
  return undefined;
}

/**
 * A name (of a key, or of an organization with `max` = ORGANIZATION_NAME_MAX), judged after
 * trimming and in NFC (as it is stored): not empty, at most `max` characters, no control
 * characters, nothing that makes it display otherwise than it reads.
 */
export function nameProblem(value: string, max: number = NAME_MAX): string | undefined {
  const name = value.trim().normalize('NFC');
  if (name === '') return 'must not be empty';
  if (name.length > max) return `must be at most ${max} characters`;
  if (NAME_FORBIDDEN.test(name)) return 'must not contain control characters';
  return displayProblem(name);
}

/**
 * A description, taken as given (in NFC, as it is stored): at most `max` characters, no control
 * characters but tab and newline, nothing that makes it display otherwise than it reads.
 */
export function descriptionProblem(value: string, max: number = DESCRIPTION_MAX): string | undefined {
  const description = value.normalize('NFC');
  if (description.length > max) return `must be at most ${max} characters`;
  if (DESCRIPTION_FORBIDDEN.test(description)) return 'must not contain control characters';
  return displayProblem(description);
}

/** The fields of a key update that change something (present = not `undefined`). */
export interface KeyUpdateFields {
  scopes?: unknown;
  addScopes?: unknown;
  removeScopes?: unknown;
  name?: unknown;
  description?: unknown;
  /** Key lifecycle: a new expiry (null: none), enabled/disabled, the IP allowlist (null: none). */
  expiresAt?: unknown;
  enabled?: unknown;
  allowedIps?: unknown;
}

/**
 * What is wrong with the set of fields of a key update, checked in this order:
 * - `SCOPES_COMBINED`: `scopes` replaces the whole set, so it cannot come with `addScopes` or
 *   `removeScopes`;
 * - `NO_FIELDS`: none of scopes, addScopes, removeScopes, name, description, expiresAt, enabled,
 *   allowedIps is given.
 */
export type KeyUpdateProblem = 'SCOPES_COMBINED' | 'NO_FIELDS';

export function keyUpdateProblem(fields: KeyUpdateFields): KeyUpdateProblem | undefined {
  if (fields.scopes !== undefined && (fields.addScopes !== undefined || fields.removeScopes !== undefined)) {
    return 'SCOPES_COMBINED';
  }
  const { scopes, addScopes, removeScopes, name, description, expiresAt, enabled, allowedIps } = fields;
  const given = [scopes, addScopes, removeScopes, name, description, expiresAt, enabled, allowedIps];
  if (given.every((v) => v === undefined)) return 'NO_FIELDS';
  return undefined;
}

/**
 * A grace period as the CLI takes it: seconds, or a number with a unit (`90s`, `30m`, `24h`,
 * `7d`); `0` ends the old secret at once. Answers the seconds, or a problem phrase.
 */
export function parseGracePeriod(value: string): { seconds: number } | { problem: string } {
  const match = /^(\d{1,7})([smhd]?)$/.exec(value.trim());
  if (match === null) return { problem: 'must be a duration such as 0, 90s, 30m, 24h or 7d' };
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds > GRACE_PERIOD_MAX_SECONDS) return { problem: 'must be at most 7 days (7d)' };
  return { seconds };
}

/**
 * Whether an expiry breaks an organization's maximum key lifetime, judged at `nowMs` (the time
 * of the change that sets it): no expiry at all, or one later than now + the maximum, breaks
 * it; no maximum (null) is never broken.
 */
export function exceedsLifetime(expiresAt: string | null, nowMs: number, maxKeyLifetimeDays: number | null): boolean {
  if (maxKeyLifetimeDays === null) return false;
  if (expiresAt === null) return true;
  return Date.parse(expiresAt) > nowMs + maxKeyLifetimeDays * 24 * 60 * 60 * 1000;
}
