/** GET /healthz — liveness: the process answers. No key needed. */
import type { FastifyInstance } from 'fastify';
import { NOT_THROTTLED } from '../http/auth-throttle.js';

export function registerHealthz(app: FastifyInstance): void {
  app.get('/healthz', { config: NOT_THROTTLED }, async () => ({ status: 'ok' }));
}
