/** Wire shapes built from store records. Optional fields are omitted when null; never a hash or raw key. */
import type { KeySummary } from '@codika/contract/schemas';
import type { ApiKeyWithCreator } from '../store/types.js';

export function keySummary(key: ApiKeyWithCreator): KeySummary {
  const summary: KeySummary = {
    keyId: key.id,
    name: key.name,
    description: key.description,
    keyPrefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt,
    updatedAt: key.updatedAt,
    createdBy: { userId: key.createdByUserId, email: key.createdByEmail },
  };
  if (key.expiresAt !== null) summary.expiresAt = key.expiresAt;
  if (key.lastUsedAt !== null) summary.lastUsedAt = key.lastUsedAt;
  return summary;
}
