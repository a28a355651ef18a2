/**
 * The single place where errors become answers: every thrown error — ApiError from
 * the routes and hooks, Fastify's own (body too large, bad media type, …), anything
 * unexpected — is mapped to a code of the contract, its status and the failure envelope.
 * 5xx answers carry only their code's fixed message ("Internal server error" for anything
 * unexpected; MAIL_UNAVAILABLE's own) and no details; the cause goes to the log with the
 * request id. RATE_LIMITED carries `Retry-After` from `details.retryAfterSeconds`. An
 * authenticated attempt of an audited operation refused before its store write (or whose
 * write threw) gets its denied audit row here; the store records every outcome it returns.
 */
import { ERROR_CODES, type ErrorCode } from '@codika/contract/errors';
import { Id } from '@codika/contract/schemas';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { iso } from '../clock.js';
import { isStoreUnavailable } from '../store/errors.js';
import type { Store } from '../store/types.js';
import { auditOrigin } from './audit.js';
import { errorBody } from './envelope.js';
import { ApiError, isApiError } from './errors.js';

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_ERROR',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_ERROR',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_ERROR',
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
};

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Map anything thrown to an ApiError; unknown errors become INTERNAL. */
export function toApiError(error: unknown): ApiError {
  if (isApiError(error)) return error;
  if (isStoreUnavailable(error)) return new ApiError('SERVICE_UNAVAILABLE', { cause: error });
  const fastifyError = error as Partial<FastifyError> | null;
  const byCode = typeof fastifyError?.code === 'string' ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (byCode !== undefined) return new ApiError(byCode, { cause: error });
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(STATUS_CODES[status] ?? 'VALIDATION_ERROR', { cause: error });
  }
  return new ApiError('INTERNAL', { cause: error });
}

/**
 * An id field of the body as requested (key routes: keyId; member routes: userId), when the
 * contract accepts it as an id (a NUL, which PostgreSQL cannot store, would lose the audit row
 * there and not on SQLite).
 */
function bodyIdOf(body: unknown, field: 'keyId' | 'userId'): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const id = (body as Record<string, unknown>)[field];
  return Id.safeParse(id).success ? (id as string) : null;
}

async function auditDenial(store: Store, request: FastifyRequest, error: ApiError): Promise<void> {
  const state = request.state;
  if (!state?.caller || state.auditAction === null || state.audited) return;
  // The database cannot take writes now (locked past the wait): the denial row could not be
  // written either, and trying would double the caller's wait. Logged instead.
  if (error.code === 'SERVICE_UNAVAILABLE') {
    request.log.warn({ action: state.auditAction }, 'no audit row: the database is unavailable');
    return;
  }
  state.audited = true;
  try {
    await store.appendAudit({
      ...auditOrigin(request, state.caller, iso(state.now)),
      action: state.auditAction,
      organizationId: state.caller.organization.id,
      targetKeyId: bodyIdOf(request.body, 'keyId'),
      targetUserId: bodyIdOf(request.body, 'userId'),
      result: 'denied',
      reason: error.code,
      before: null,
      after: null,
    });
  } catch (err) {
    request.log.error({ err }, 'could not write the audit row of a denied request');
  }
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): ReturnType<typeof errorBody> {
  if (request.state) request.state.errorCode = error.code;
  reply.code(error.status);
  if (error.code === 'METHOD_NOT_ALLOWED') reply.header('allow', 'POST');
  if (error.code === 'SERVICE_UNAVAILABLE') reply.header('retry-after', '1');
  const retryAfter = error.details?.retryAfterSeconds;
  if (error.code === 'RATE_LIMITED' && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
  // A 5xx says only its code's own message, never the cause's.
  const message = error.status >= 500 ? ERROR_CODES[error.code].message : error.message;
  const details = error.status >= 500 ? undefined : error.details;
  return errorBody(request.id, error.code, message, details, error.nextAction);
}

export function installErrorHandling(app: FastifyInstance, store: Store): void {
  app.setErrorHandler(async (error: unknown, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) {
      request.log.error({ err: error }, 'internal error');
    }
    await auditDenial(store, request, apiError);
    return sendError(request, reply, apiError);
  });

  app.setNotFoundHandler(async (request, reply) => sendError(request, reply, new ApiError('NOT_FOUND')));
}
