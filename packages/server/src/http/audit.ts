/** The part of an audit row that describes the attempt (who, from where, on what). */
import type { FastifyRequest } from 'fastify';
import type { AuditAction, AuditEntryInput } from '../store/types.js';
import type { Caller } from './context.js';

export type AuditBase = Omit<AuditEntryInput, 'result' | 'reason' | 'before' | 'after'>;

export const USER_AGENT_MAX = 512;

export function auditBase(
  request: FastifyRequest,
  caller: Caller,
  action: AuditAction,
  targetKeyId: string | null,
  at: string,
): AuditBase {
  const userAgent = request.headers['user-agent'];
  return {
    at,
    requestId: request.id,
    action,
    actorKeyId: caller.key.id,
    actorUserId: caller.user.id,
    organizationId: caller.organization.id,
    targetKeyId,
    sourceIp: request.ip || null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, USER_AGENT_MAX) : null,
  };
}
