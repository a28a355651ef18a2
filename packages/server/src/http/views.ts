/** Wire shapes built from store records. Optional fields are omitted when null; never a hash or raw key. */
import type { KeySummary } from '@codika/contract/schemas';
import type { ApiKeyWithCreator } from '../store/types.js';

export function keySummary(key: ApiKeyWithCreator): KeySummary {
  return {
    keyId: key.id,
    name: key.name,
    description: key.description,
    keyPrefix: key.prefix,
    scopes: key.scopes,
    createdAt: key.createdAt,
    updatedAt: key.updatedAt,
    ...(key.expiresAt === null ? {} : { expiresAt: key.expiresAt }),
    ...(key.lastUsedAt === null ? {} : { lastUsedAt: key.lastUsedAt }),
    createdBy: { userId: key.createdByUserId, email: key.createdByEmail },
  };
}
