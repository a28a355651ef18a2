/** GET /healthz — liveness: the process answers. No key needed. */
import type { FastifyInstance } from 'fastify';

export function registerHealthz(app: FastifyInstance): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
}
