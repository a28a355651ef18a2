/**
 * Authentication by `X-Process-Manager-Key`. Every failure — missing header, bad
 * format or checksum (refused without touching the store), unknown, revoked or expired
 * key, a key of another kind, a creating user who left the organization — is the same
 * 401 UNAUTHENTICATED, so nothing can be learned from the difference.
 */
import { parseKey } from '@codika/contract/keys';
import { iso } from '../clock.js';
import { hashKey } from '../secrets.js';
import type { Store } from '../store/types.js';
import type { Caller } from './context.js';
import { ApiError } from './errors.js';

/** Lower-case, as Node exposes incoming header names. */
export const API_KEY_HEADER_NAME = 'x-process-manager-key';

export interface AuthOptions {
  store: Store;
  lastUsedIntervalMs: number;
}

export async function authenticate(
  header: string | string[] | undefined,
  now: Date,
  options: AuthOptions,
  onTouchError: (err: unknown) => void,
): Promise<Caller> {
  if (typeof header !== 'string') throw new ApiError('UNAUTHENTICATED');
  const raw = header.trim();
  const parsed = parseKey(raw);
  if (!parsed.ok || parsed.kind !== 'cko_') throw new ApiError('UNAUTHENTICATED');

  const auth = await options.store.findAuthByHash(hashKey(raw));
  if (auth === undefined) throw new ApiError('UNAUTHENTICATED');
  const { key, organization, user, role } = auth;
  const nowMs = now.getTime();
  if (key.revokedAt !== null) throw new ApiError('UNAUTHENTICATED');
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= nowMs) throw new ApiError('UNAUTHENTICATED');
  if (role === null) throw new ApiError('UNAUTHENTICATED');

  // Record the use at most once per interval: no write on every request.
  const staleBeforeMs = nowMs - options.lastUsedIntervalMs;
  if (key.lastUsedAt === null || Date.parse(key.lastUsedAt) < staleBeforeMs) {
    try {
      await options.store.touchLastUsed(key.id, iso(now), iso(new Date(staleBeforeMs)));
      key.lastUsedAt = iso(now);
    } catch (err) {
      // Bookkeeping only: a failed last-use write must not refuse a valid caller.
      onTouchError(err);
    }
  }
  return { key, organization, user, role };
}
