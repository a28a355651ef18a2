/**
 * The option checks the key-lifecycle commands share (update-key, rotate-key): an expiry time,
 * an IP allowlist, a grace period. Local checks only, so a typo is exit 2 before any request;
 * the server judges the allowlist fully (ipaddr.js: host bits, IPv4-mapped ranges) and answers
 * 400 naming the entry. Addresses are recognized by node:net's isIP, not by hand.
 */
import { isIP } from 'node:net';
import { ALLOWED_IPS_MAX, parseGracePeriod } from '@codika/contract/rules';
import { ValidationError } from './errors.js';

const ZONED_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** An ISO 8601 date-time with its zone (`Z` or an offset), sent as UTC with milliseconds. */
export function checkExpiresAt(value: string, flag: string): string {
  const text = value.trim();
  const at = Date.parse(text);
  if (!ZONED_ISO.test(text) || Number.isNaN(at)) {
    throw new ValidationError(`${flag} must be an ISO 8601 time with its zone, e.g. 2026-06-30T00:00:00Z, got "${value}".`);
  }
  return new Date(at).toISOString();
}

/** One allowlist entry: an IPv4 or IPv6 address, optionally with /prefix in range. */
function ipEntryProblem(entry: string): string | undefined {
  const [address, bits, extra] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || extra !== undefined) return 'is not an IPv4 or IPv6 address or CIDR range';
  if (bits === undefined) return undefined;
  const max = version === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `has a prefix length outside 0–${max}`;
  return undefined;
}

/** A comma-separated allowlist: 1–ALLOWED_IPS_MAX entries, each an address or CIDR range. */
export function checkAllowedIps(value: string, flag: string): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) {
    throw new ValidationError(`${flag} is empty: give addresses or CIDR ranges (or --clear-allowed-ips to remove the list).`);
  }
  if (entries.length > ALLOWED_IPS_MAX)
    throw new ValidationError(`${flag} takes at most ${ALLOWED_IPS_MAX} entries, got ${entries.length}.`);
  for (const entry of entries) {
    const why = ipEntryProblem(entry);
    if (why !== undefined) throw new ValidationError(`${flag}: "${entry}" ${why}.`);
  }
  return entries;
}

/** A grace period (`0`, `90s`, `30m`, `24h`, `7d`) in seconds. */
export function checkGrace(value: string, flag: string): number {
  const parsed = parseGracePeriod(value);
  if ('problem' in parsed) throw new ValidationError(`${flag} ${parsed.problem}, got "${value}".`);
  return parsed.seconds;
}
