/**
 * Throttling of code requests (signup-request, login-request), per e-mail address and per
 * source address, in sliding windows kept in memory by this instance (N instances allow N
 * times the budget). Each request that would send a mail takes one from both budgets; when
 * either is spent the request is answered 429 RATE_LIMITED with Retry-After, before any
 * lookup and without a mail. Known and unknown addresses are throttled alike.
 *
 * Completions are not throttled here: a wrong code answers 401 INVALID_CODE, a guess which the
 * per-source brute-force throttle (http/auth-throttle.ts) counts, and each code dies after 5
 * wrong tries.
 */
import { type AuthFailureBudget, AuthFailureThrottle } from '../http/auth-throttle.js';

export interface CodeRequestBudget {
  /** Code requests one e-mail address may receive per window. */
  perAddress: AuthFailureBudget;
  /** Code requests one source (IP) address may make per window. */
  perSource: AuthFailureBudget;
}

const HOUR_MS = 60 * 60 * 1000;

export const DEFAULT_CODE_REQUEST_BUDGET: CodeRequestBudget = {
  perAddress: { max: 5, windowMs: HOUR_MS, maxSources: 10_000 },
  perSource: { max: 50, windowMs: HOUR_MS, maxSources: 10_000 },
};

export class CodeRequestThrottle {
  // The sliding-window counter of the auth throttle, keyed by address or source instead.
  private readonly byAddress: AuthFailureThrottle;
  private readonly bySource: AuthFailureThrottle;

  constructor(readonly budget: CodeRequestBudget) {
    this.byAddress = new AuthFailureThrottle(budget.perAddress);
    this.bySource = new AuthFailureThrottle(budget.perSource);
  }

  /** Seconds to wait when either budget is spent (nothing is taken then), else 0 after taking one from both. */
  take(address: string, source: string, nowMs: number): number {
    const wait = Math.max(this.byAddress.retryAfterSeconds(address, nowMs), this.bySource.retryAfterSeconds(source, nowMs));
    if (wait > 0) return wait;
    this.byAddress.recordFailure(address, nowMs);
    this.bySource.recordFailure(source, nowMs);
    return 0;
  }
}
