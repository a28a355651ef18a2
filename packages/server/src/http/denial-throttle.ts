/**
 * Flood control of refused attempts, per caller. Every answered attempt at an audited operation
 * (create, update, revoke, member changes) writes one audit row, allowed or denied; a key that
 * only draws refusals (a `projects:read` key hammering updates) would grow the log by thousands
 * of rows a second. So each caller — a key, or a person signed in by code — has a budget of
 * refused attempts (4xx after authentication on an audited operation) per sliding window, kept
 * in memory by this instance (the same window as the guess throttle, auth-throttle.ts). Past it,
 * its attempts at audited operations are answered 429 RATE_LIMITED with Retry-After right after
 * authentication, before any check or write: counted (log line, metrics), but not stored one by
 * one. Reads (lists, /verifyapikey, the audit query) are never refused by it, and the caller's
 * allowed attempts do not count. Every attempt that *is* judged still gets exactly one row.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AuthFailureBudget, AuthFailureThrottle } from './auth-throttle.js';
import { ApiError, isApiError } from './errors.js';
import type { Caller } from './request-state.js';

export type DeniedAttemptBudget = AuthFailureBudget;

/** 30 refused attempts per key per minute: at most one audit row of refusals every 2 s per key, sustained. */
export const DEFAULT_DENIED_ATTEMPT_BUDGET: Required<DeniedAttemptBudget> = { max: 30, windowMs: 60_000, maxSources: 10_000 };

/** Whose budget an attempt spends: the key's, or the person's (a dashboard session by code). */
export function budgetIdOf(caller: Caller): string {
  return caller.key === null ? `user:${caller.user.id}` : `key:${caller.key.id}`;
}

export class DeniedAttemptThrottle {
  private readonly window: AuthFailureThrottle;
  /** Attempts answered 429 by this throttle since start (for metrics and tests). */
  throttled = 0;

  constructor(budget: DeniedAttemptBudget) {
    this.window = new AuthFailureThrottle(budget);
  }

  /**
   * Called right after authentication on an audited operation: 429 when the caller has spent
   * its budget of refusals (the request is marked so no audit row is written for it).
   */
  check(request: FastifyRequest, caller: Caller): void {
    const wait = this.window.retryAfterSeconds(budgetIdOf(caller), request.state.now.getTime());
    if (wait === 0) return;
    this.throttled++;
    request.state.throttledBy = 'denied_attempts';
    throw new ApiError('RATE_LIMITED', {
      message: 'Too many refused attempts by this key; retry later',
      details: { retryAfterSeconds: wait, reason: 'DENIED_ATTEMPTS' },
    });
  }

  /** Count a refused attempt (a 4xx after authentication on an audited operation). */
  install(app: FastifyInstance): void {
    app.addHook('onError', async (request, _reply, error) => {
      const state = request.state;
      if (!state?.caller || state.auditAction === null || state.throttledBy !== undefined || !isApiError(error)) return;
      if (error.status < 400 || error.status >= 500 || error.status === 401 || error.status === 429) return;
      this.window.recordFailure(budgetIdOf(state.caller), state.now.getTime());
    });
  }
}
