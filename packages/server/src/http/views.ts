/** Wire shapes built from store records. Optional fields are omitted when null; never a hash or raw key. */
import type { AuditEvent, KeySummary, Member } from '@codika/contract/schemas';
import type { ApiKeyWithCreator, AuditEntry, MemberRecord } from '../store/types.js';

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
    ...(key.lastUsedIp === null ? {} : { lastUsedIp: key.lastUsedIp }),
    ...(key.revokedAt === null ? {} : { revokedAt: key.revokedAt }),
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

/** An audit row as `/listauditeventspublic` answers it: null fields left out, actor and target grouped. */
export function auditEventView(entry: AuditEntry): AuditEvent {
  const actor: AuditEvent['actor'] = {};
  if (entry.actorKeyId !== null) actor.keyId = entry.actorKeyId;
  if (entry.actorUserId !== null) actor.userId = entry.actorUserId;
  if (entry.sourceIp !== null) actor.ip = entry.sourceIp;
  if (entry.userAgent !== null) actor.userAgent = entry.userAgent;
  const target: AuditEvent['target'] = {};
  if (entry.targetKeyId !== null) target.keyId = entry.targetKeyId;
  if (entry.targetUserId !== null) target.userId = entry.targetUserId;
  return {
    eventId: entry.id,
    at: entry.at,
    action: entry.action,
    outcome: entry.result,
    ...(entry.reason === null ? {} : { reason: entry.reason }),
    actor,
    target,
    before: entry.before,
    after: entry.after,
    requestId: entry.requestId,
  };
}
