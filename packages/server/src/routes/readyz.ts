/**
 * GET /readyz — readiness: the database can be read and written now (Store.ping: on SQLite the
 * first row of each table read from disk and a write of the header; on PostgreSQL a read of
 * each table and a transaction id). No key needed, never throttled. A check that has not
 * answered within READY_TIMEOUT_MS (a write lock held elsewhere) counts as not ready;
 * concurrent probes share one check.
 */
import type { FastifyInstance } from 'fastify';
import { NOT_THROTTLED } from '../http/auth-throttle.js';
import type { Store } from '../store/types.js';

export const READY_TIMEOUT_MS = 2_000;

export function registerReadyz(app: FastifyInstance, store: Store, timeoutMs: number = READY_TIMEOUT_MS): void {
  let inFlight: Promise<void> | null = null;
  const check = (): Promise<void> => {
    inFlight ??= store.ping().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  app.get('/readyz', { config: NOT_THROTTLED }, async (request, reply) => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`the readiness check took over ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { status: 'ok' };
    } catch (err) {
      request.log.error({ err }, 'readiness check failed');
      reply.code(503);
      return { status: 'unavailable' };
    } finally {
      clearTimeout(timer);
    }
  });
}
