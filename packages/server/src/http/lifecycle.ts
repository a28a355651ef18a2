/**
 * What the key routes share about a key's lifecycle (docs/server.md, "Key lifecycle"): the
 * checks of an expiry and an allowlist sent by a client, the organization's maximum lifetime,
 * the self-lockout guard's extra cases.
 */
import { EXPIRES_IN_DAYS_MAX, exceedsLifetime } from '@codika/contract/rules';
import type { KeyBreakingPolicy } from '@codika/contract/schemas';
import { iso } from '../clock.js';
import type { ApiKeyRecord, KeyFields } from '../store/types.js';
import { canonicalAllowedIp, ipAllowed } from './allowlist.js';
import { ApiError } from './errors.js';
import { validationError } from './validation.js';

export const DAY_MS = 24 * 60 * 60 * 1000;

/** An expiry sent in an update: in the future, at most EXPIRES_IN_DAYS_MAX days away; stored in UTC with milliseconds. */
export function checkedExpiresAt(value: string, nowMs: number): string {
  const at = Date.parse(value);
  if (!(at > nowMs)) throw validationError({ expiresAt: 'expiresAt must be in the future' });
  if (at > nowMs + EXPIRES_IN_DAYS_MAX * DAY_MS) {
    throw validationError({ expiresAt: `expiresAt must be at most ${EXPIRES_IN_DAYS_MAX} days away` });
  }
  return iso(new Date(at));
}

/** An allowlist sent in an update: every entry parsed (400 naming the entry), canonical, without duplicates. */
export function checkedAllowedIps(entries: readonly string[]): string[] {
  const out: string[] = [];
  for (const [i, entry] of entries.entries()) {
    const canonical = canonicalAllowedIp(entry);
    if (!canonical.ok) throw validationError({ [`allowedIps.${i}`]: canonical.problem });
    if (!out.includes(canonical.cidr)) out.push(canonical.cidr);
  }
  return out;
}

/** KEY_LIFETIME_EXCEEDED with what the organization allows. */
export function lifetimeExceeded(maxKeyLifetimeDays: number, nowMs: number): ApiError {
  const latest = iso(new Date(nowMs + maxKeyLifetimeDays * DAY_MS));
  return new ApiError('KEY_LIFETIME_EXCEEDED', {
    message: `The organization's keys may live at most ${maxKeyLifetimeDays} days: the expiry must be no later than ${latest}`,
    details: { maxKeyLifetimeDays, latestExpiresAt: latest },
    nextAction: `Set an expiry within ${maxKeyLifetimeDays} days (--expires-in-days ${maxKeyLifetimeDays} or less)`,
  });
}

/** The refusal when `expiresAt`, set at `nowMs`, breaks the organization's maximum lifetime; else null. */
export function lifetimeDenial(expiresAt: string | null, nowMs: number, maxKeyLifetimeDays: number | null): ApiError | null {
  if (maxKeyLifetimeDays === null || !exceedsLifetime(expiresAt, nowMs, maxKeyLifetimeDays)) return null;
  return lifetimeExceeded(maxKeyLifetimeDays, nowMs);
}

/**
 * The self-lockout guard's lifecycle cases: an update of the very key making the call that
 * disables it, or gives it an allowlist the caller's own address is outside of.
 */
export function lifecycleLockout(before: ApiKeyRecord, after: KeyFields, clientIp: string | undefined): ApiError | null {
  if (before.disabledAt === null && after.enabled === false) {
    return new ApiError('SELF_LOCKOUT', {
      message: 'This update would disable the API key making the call; pass force to do it anyway',
      details: { reason: 'DISABLES_CALLER' },
    });
  }
  if (after.allowedIps !== undefined && !ipAllowed(after.allowedIps, clientIp)) {
    return new ApiError('SELF_LOCKOUT', {
      message: `This allowlist would exclude the address this call comes from (${clientIp ?? 'unknown'}); pass force to set it anyway`,
      details: { reason: 'EXCLUDES_CALLER_ADDRESS', clientIp: clientIp ?? null },
    });
  }
  return null;
}

/** The live keys that break a maximum lifetime (no expiry, or one later than now + the maximum), as settings answers report them. */
export function keysBreakingPolicy(
  keys: readonly ApiKeyRecord[],
  nowMs: number,
  maxKeyLifetimeDays: number | null,
): KeyBreakingPolicy[] {
  return keys
    .filter((key) => exceedsLifetime(key.expiresAt, nowMs, maxKeyLifetimeDays))
    .map((key) => ({
      keyId: key.id,
      name: key.name,
      keyPrefix: key.prefix,
      ...(key.expiresAt === null ? {} : { expiresAt: key.expiresAt }),
    }));
}
