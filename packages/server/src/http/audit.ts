/**
 * Who (the caller, or nobody yet), from where, when: the part of an attempt's audit rows read
 * off the request. The store completes each row it writes (store/audit.ts originOf); the error
 * handler completes the row of a refusal that never reached the store.
 */
import type { FastifyRequest } from 'fastify';
import type { AuditOrigin } from '../store/types.js';
import type { Caller } from './request-state.js';

export const USER_AGENT_MAX = 512;

export function auditOrigin(request: FastifyRequest, caller: Caller | null, at: string): AuditOrigin {
  const userAgent = request.headers['user-agent'];
  return {
    at,
    requestId: request.id,
    // A person signed in by code acts without a key: the row names the user only.
    actorKeyId: caller?.key?.id ?? null,
    actorUserId: caller?.user.id ?? null,
    sourceIp: request.ip || null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, USER_AGENT_MAX) : null,
  };
}
