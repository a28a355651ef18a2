/** POST /clirequestloginotp — e-mail a sign-in code (no key). See accounts/request-code.ts. */
import type { FastifyInstance } from 'fastify';
import { requestCode } from '../accounts/request-code.js';
import { registerPublicOperation, type ServerConfig } from '../http/operation.js';

export function registerRequestLoginCode(app: FastifyInstance, config: ServerConfig): void {
  registerPublicOperation(app, config, 'requestLoginCode', { handler: (ctx) => requestCode(ctx, 'login') });
}
