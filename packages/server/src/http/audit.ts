/** The part of an audit row that describes the attempt (who, from where, on what), read off the request. */
import type { FastifyRequest } from 'fastify';
import type { AuditAction, AuditBase } from '../store/types.js';
import type { Caller } from './request-state.js';

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
