/**
 * The key a sign-up or sign-in mints: the scopes the person's role allows (owner and admin
 * every scope, member every scope but api-keys:manage), its name and expiry from the request,
 * and its wire shape (the raw key shown this once).
 */
import { DEFAULT_CLI_KEY_NAME } from '@codika/contract/operations';
import type { MintedKey } from '@codika/contract/schemas';
import { MANAGE_SCOPE, SCOPES, type Scope } from '@codika/contract/scopes';
import { iso } from '../clock.js';
import { newId } from '../ids.js';
import { mintOrgKey } from '../secrets.js';
import type { ApiKeyRecord, MintedKeyInput, Role } from '../store/types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function scopesForRole(role: Role): Scope[] {
  return role === 'member' ? SCOPES.filter((s) => s !== MANAGE_SCOPE) : [...SCOPES];
}

export function newMintedKey(
  options: { name?: string | undefined; expiresInDays?: number | undefined } | undefined,
  now: Date,
  description: string,
): { input: MintedKeyInput; rawKey: string } {
  const minted = mintOrgKey();
  return {
    rawKey: minted.rawKey,
    input: {
      id: newId(),
      name: options?.name ?? DEFAULT_CLI_KEY_NAME,
      description,
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: iso(now),
      expiresAt: options?.expiresInDays === undefined ? null : iso(new Date(now.getTime() + options.expiresInDays * DAY_MS)),
    },
  };
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
