/** Wire shapes built from store records. Optional fields are omitted when null; never a hash or raw key. */
import type { KeySummary, Member } from '@codika/contract/schemas';
import type { ApiKeyWithCreator, MemberRecord } from '../store/types.js';

/**
 * A key as get and list show it. `nowMs`: a rotation's previous secret is shown while it still
 * works (its grace period), not after.
 */
export function keySummary(key: ApiKeyWithCreator, nowMs: number): KeySummary {
  const previous = key.previousSecretExpiresAt;
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
    enabled: key.disabledAt === null,
    ...(key.allowedIps === null ? {} : { allowedIps: key.allowedIps }),
    ...(previous !== null && Date.parse(previous) > nowMs ? { previousSecretExpiresAt: previous } : {}),
  };
}

export function memberView(member: MemberRecord): Member {
  return {
    userId: member.userId,
    email: member.email,
    role: member.role,
    joinedAt: member.joinedAt,
    ...(member.lastSignInAt === null ? {} : { lastSignInAt: member.lastSignInAt }),
    liveKeyCount: member.liveKeyCount,
  };
}
