/** GET /openapi.json — the OpenAPI 3.1 document generated from the contract. No key needed. */
import type { FastifyInstance } from 'fastify';
import { NOT_THROTTLED } from '../http/auth-throttle.js';
import { buildOpenApiDocument } from '../openapi.js';

export function registerOpenApiJson(app: FastifyInstance): void {
  const document = buildOpenApiDocument();
  app.get('/openapi.json', { config: NOT_THROTTLED }, async () => document);
}
