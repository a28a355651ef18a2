/**
 * Fair share between keys: at most `perKey` requests presenting one key (or one dashboard
 * session) are served at once; the others wait, in arrival order, before their key is looked
 * up or their body read — before any work of theirs is done — so a key sending a flood (a runaway job, a stolen key) queues behind
 * itself, and another organization's request waits behind at most `perKey` of the flood's,
 * not behind every one it sent. Nothing is refused while the wait is short: the flood just
 * gets slower (its connections stop sending, each holding one request). A request that has
 * waited `maxWaitMs` is answered 429 RATE_LIMITED with Retry-After: 1.
 *
 * One process is CPU-bound long before 16 requests of one key are in flight (SQLite runs one
 * statement at a time; PostgreSQL has a pool of 10), so the share costs a single busy client
 * no throughput.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { API_KEY_HEADER_NAME } from './auth.js';
import { ApiError } from './errors.js';
import { sessionIdOf } from './session.js';

export interface KeyConcurrencyLimits {
  /** Requests of one key served at once (default 16). */
  perKey: number;
  /** Longest a request waits for its key's turn before 429 (default 10 000 ms). */
  maxWaitMs: number;
}

export const DEFAULT_KEY_CONCURRENCY: KeyConcurrencyLimits = { perKey: 16, maxWaitMs: 10_000 };

interface Lane {
  active: number;
  waiting: (() => void)[];
}

export class KeyConcurrency {
  private readonly lanes = new Map<string, Lane>();

  constructor(readonly limits: KeyConcurrencyLimits = DEFAULT_KEY_CONCURRENCY) {
    if (!Number.isInteger(limits.perKey) || limits.perKey < 1) throw new RangeError('perKey must be an integer ≥ 1');
    if (!Number.isFinite(limits.maxWaitMs) || limits.maxWaitMs < 0) throw new RangeError('maxWaitMs must be ≥ 0');
  }

  /** Requests of a lane being served now (for tests and figures). */
  active(lane: string): number {
    return this.lanes.get(lane)?.active ?? 0;
  }

  /** Requests of a lane waiting for their turn. */
  waiting(lane: string): number {
    return this.lanes.get(lane)?.waiting.length ?? 0;
  }

  /**
   * Wait for a turn in `laneId`; resolves with the function that gives it back (call it once),
   * or rejects with 429 after maxWaitMs.
   */
  async acquire(laneId: string): Promise<() => void> {
    let lane = this.lanes.get(laneId);
    if (lane === undefined) {
      lane = { active: 0, waiting: [] };
      this.lanes.set(laneId, lane);
    }
    const own = lane;
    if (own.active < this.limits.perKey) {
      own.active++;
    } else {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          const at = own.waiting.indexOf(turn);
          if (at !== -1) own.waiting.splice(at, 1);
          reject(
            new ApiError('RATE_LIMITED', {
              message: 'Too many requests with this API key at once; retry later',
              details: { retryAfterSeconds: 1 },
            }),
          );
        }, this.limits.maxWaitMs);
        own.waiting.push(turn);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = own.waiting.shift();
      if (next) {
        next(); // the turn passes on: active stays the same
        return;
      }
      own.active--;
      if (own.active === 0) this.lanes.delete(laneId);
    };
  }
}

/**
 * The lane of a request: the credential it presents — the key header, else the dashboard's
 * session cookie — by its SHA-256 (no raw key is kept as a map key); none: no lane (requests
 * without a credential cost no lookup, and guesses are the brute-force throttle's).
 */
export function laneOf(request: FastifyRequest): string | undefined {
  const header = request.headers[API_KEY_HEADER_NAME];
  const credential = typeof header === 'string' && header.trim() !== '' ? `k:${header.trim()}` : sessionIdOf(request);
  if (credential === undefined || credential === '') return undefined;
  return createHash('sha256').update(credential).digest('base64url');
}

/**
 * Install the share on an app: a global onRequest hook, after the throttle and before any
 * route's authentication, waits for the turn of the credential the request presents — so a
 * flood's requests wait before their key is even looked up; the turn is given back when the
 * answer is sent or the connection closes.
 */
export function installKeyConcurrency(app: FastifyInstance, concurrency: KeyConcurrency): void {
  app.addHook('onRequest', async (request, reply) => {
    const lane = laneOf(request);
    if (lane === undefined) return;
    try {
      const release = await concurrency.acquire(lane);
      // The client may have gone while it waited: its 'close' is past, give the turn back now.
      if (reply.raw.writableFinished || request.raw.socket?.destroyed) release();
      else reply.raw.once('close', release);
    } catch (err) {
      reply.header('retry-after', '1');
      request.state.throttledBy = 'key_concurrency';
      throw err;
    }
  });
}
