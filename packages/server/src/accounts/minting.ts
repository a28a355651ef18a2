/**
 * The key a sign-up or sign-in mints: the scopes the person's role allows (owner and admin
 * every scope, member every scope but api-keys:manage), its name and expiry from the request,
 * and its wire shape (the raw key shown this once).
 */
import { DEFAULT_CLI_KEY_NAME } from '@codika/contract/operations';
import type { MintedKey } from '@codika/contract/schemas';
import { MANAGE_SCOPE, SCOPES, type Scope } from '@codika/contract/scopes';
import { type NewKey, newKey } from '../new-key.js';
import type { ApiKeyRecord, Role } from '../store/types.js';

export function scopesForRole(role: Role): Scope[] {
  return role === 'member' ? SCOPES.filter((s) => s !== MANAGE_SCOPE) : [...SCOPES];
}

/** The key a sign-up or sign-in mints: the request's name (default DEFAULT_CLI_KEY_NAME) and expiry. */
export function newMintedKey(
  options: { name?: string | undefined; expiresInDays?: number | undefined } | undefined,
  now: Date,
  description: string,
): NewKey {
  return newKey({ name: options?.name ?? DEFAULT_CLI_KEY_NAME, description, expiresInDays: options?.expiresInDays }, now);
}

export function mintedKeyData(key: ApiKeyRecord, rawKey: string): MintedKey {
  return {
    raw: rawKey,
    keyId: key.id,
    keyPrefix: key.prefix,
    name: key.name,
    scopes: key.scopes,
    createdAt: key.createdAt,
    ...(key.expiresAt === null ? {} : { expiresAt: key.expiresAt }),
  };
}
