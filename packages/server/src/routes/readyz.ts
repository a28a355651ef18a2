/** GET /readyz — readiness: the database answers a round trip. No key needed. */
import type { FastifyInstance } from 'fastify';
import { NOT_THROTTLED } from '../http/auth-throttle.js';
import type { Store } from '../store/types.js';

export function registerReadyz(app: FastifyInstance, store: Store): void {
  app.get('/readyz', { config: NOT_THROTTLED }, async (request, reply) => {
    try {
      await store.ping();
      return { status: 'ok' };
    } catch (err) {
      request.log.error({ err }, 'readiness check failed');
      reply.code(503);
      return { status: 'unavailable' };
    }
  });
}
