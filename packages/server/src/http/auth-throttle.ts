/**
 * Brute-force throttling of authentication. Every guess — a 401 for a credential that does
 * not exist (auth.ts) — is counted against the source address (the client's, behind trusted
 * proxies: app.ts) in a sliding window kept in memory by this instance; once a source has
 * spent its budget, its requests are answered 429 RATE_LIMITED with `Retry-After` (seconds)
 * *before* any key lookup, until enough of its guesses have left the window. Successes
 * neither count nor reset anything, so a valid key cannot be used to launder guesses. Other
 * sources are unaffected; probes and static files are never refused.
 *
 * Memory is bounded: at most `maxSources` addresses are tracked (the least recently
 * failing one is forgotten first), and each keeps at most `max` timestamps.
 */
import type { FastifyInstance } from 'fastify';
import { isCredentialGuess } from './auth.js';
import { ApiError } from './errors.js';

export interface AuthFailureBudget {
  /** Failed authentications a source may make within `windowMs` before it is refused. */
  max: number;
  /** Length of the sliding window, in milliseconds. */
  windowMs: number;
  /** Most source addresses tracked at once (default 10 000); the oldest is evicted. */
  maxSources?: number;
}

export const DEFAULT_AUTH_FAILURE_BUDGET: Required<AuthFailureBudget> = { max: 20, windowMs: 60_000, maxSources: 10_000 };

export class AuthFailureThrottle {
  readonly max: number;
  readonly windowMs: number;
  readonly maxSources: number;
  /** source → failure times (ms), oldest first. Map order: least recently failing source first. */
  private readonly failures = new Map<string, number[]>();

  constructor(budget: AuthFailureBudget) {
    if (!Number.isInteger(budget.max) || budget.max < 1) throw new RangeError('authFailureBudget.max must be an integer ≥ 1');
    if (!Number.isFinite(budget.windowMs) || budget.windowMs < 1) throw new RangeError('authFailureBudget.windowMs must be ≥ 1');
    const maxSources = budget.maxSources ?? DEFAULT_AUTH_FAILURE_BUDGET.maxSources;
    if (!Number.isInteger(maxSources) || maxSources < 1) throw new RangeError('authFailureBudget.maxSources must be ≥ 1');
    this.max = budget.max;
    this.windowMs = budget.windowMs;
    this.maxSources = maxSources;
  }

  /** Sources currently tracked (for tests and figures). */
  get size(): number {
    return this.failures.size;
  }

  private live(source: string, nowMs: number): number[] | undefined {
    const times = this.failures.get(source);
    if (times === undefined) return undefined;
    const cutoff = nowMs - this.windowMs;
    let drop = 0;
    while (drop < times.length && (times[drop] as number) <= cutoff) drop++;
    if (drop > 0) times.splice(0, drop);
    if (times.length === 0) {
      this.failures.delete(source);
      return undefined;
    }
    return times;
  }

  /** Seconds the source must wait before it may try again, or 0 when it may try now. */
  retryAfterSeconds(source: string, nowMs: number): number {
    const times = this.live(source, nowMs);
    if (times === undefined || times.length < this.max) return 0;
    // The source may try again once its oldest counted failure leaves the window.
    const oldest = times[times.length - this.max] as number;
    return Math.max(1, Math.ceil((oldest + this.windowMs - nowMs) / 1000));
  }

  /** Count one failed authentication from the source. */
  recordFailure(source: string, nowMs: number): void {
    const times = this.live(source, nowMs) ?? [];
    times.push(nowMs);
    if (times.length > this.max) times.splice(0, times.length - this.max);
    // Re-insert so the map's order stays "least recently failing first".
    this.failures.delete(source);
    this.failures.set(source, times);
    while (this.failures.size > this.maxSources) {
      const oldest = this.failures.keys().next().value as string;
      this.failures.delete(oldest);
    }
  }
}

/**
 * Install the throttle on an app: a throttled source is refused first thing (an onRequest
 * hook added before any route's own hooks, so before any key or session lookup and before
 * the body is read) on every route but those marked `config: { throttle: false }` (probes,
 * the OpenAPI document, the dashboard's static files: they authenticate nothing); and every
 * 401 for a credential that does not exist (a guess, auth.ts) counts as one failure of its
 * source. A revoked, expired or orphaned key — a known key — is answered 401 without counting.
 */
export function installAuthThrottle(app: FastifyInstance, throttle: AuthFailureThrottle): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.throttle === false) return;
    const wait = throttle.retryAfterSeconds(request.ip, request.state.now.getTime());
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      request.state.throttledBy = 'auth_failures';
      throw new ApiError('RATE_LIMITED', { details: { retryAfterSeconds: wait } });
    }
  });
  app.addHook('onError', async (request, _reply, error) => {
    if (isCredentialGuess(error)) throttle.recordFailure(request.ip, request.state.now.getTime());
  });
}

/** Route config: `{ throttle: false }` exempts a route that authenticates nothing. */
export const NOT_THROTTLED = { throttle: false } as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the brute-force throttle never refuses this route. */
    throttle?: boolean;
  }
}
