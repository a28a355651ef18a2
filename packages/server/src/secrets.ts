import { createHash } from 'node:crypto';
import { DISPLAY_PREFIX_LENGTH, generateKey } from '@codika/contract/keys';

/** SHA-256 (hex) of a raw key: the only form in which a key is stored. */
export function hashKey(rawKey: string): string {
  return createHash('sha256').update(rawKey, 'utf8').digest('hex');
}

/** A fresh organization key with its stored forms. The raw key leaves the server once. */
export function mintOrgKey(): { rawKey: string; hash: string; prefix: string } {
  const rawKey = generateKey('cko_');
  return { rawKey, hash: hashKey(rawKey), prefix: rawKey.slice(0, DISPLAY_PREFIX_LENGTH) };
}
