/** POST /clirequestsignupotp — e-mail a sign-up code (no key). See accounts/request-code.ts. */
import type { FastifyInstance } from 'fastify';
import { requestCode } from '../accounts/request-code.js';
import { registerPublicOperation, type ServerConfig } from '../http/operation.js';

export function registerRequestSignupCode(app: FastifyInstance, config: ServerConfig): void {
  registerPublicOperation(app, config, 'requestSignupCode', { handler: (ctx) => requestCode(ctx, 'signup') });
}
