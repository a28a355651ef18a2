/**
 * POST /verifyapikey — who am I. Any valid key, no particular scope.
 *
 * With `{ requiredScopes, match }` it also answers "may this key do that?" in the same call:
 * 403 INSUFFICIENT_SCOPE with `details.missing` (the required scopes the key lacks) when it
 * does not hold all of them (`match: 'all'`, the default) or none of them (`match: 'any'`),
 * else the same 200 as without. The empty body (what the public CLI sends) is answered as always.
 */
import type { VerifyApiKeyData } from '@codika/contract/schemas';
import type { Scope } from '@codika/contract/scopes';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import type { KeyCaller } from '../http/request-state.js';
import { checkScopeLists } from '../http/scopes.js';
import { validationError } from '../http/validation.js';

/** The identity of an authenticated caller's key: /verifyapikey's answer, and sign-in's. */
export function verifyData(caller: KeyCaller): VerifyApiKeyData {
  const { key, organization } = caller;
  const data: VerifyApiKeyData = {
    type: 'org-api-key',
    keyId: key.id,
    keyName: key.name,
    keyPrefix: key.prefix,
    scopes: key.scopes,
    organizationId: organization.id,
    organizationName: organization.name,
    createdAt: key.createdAt,
  };
  if (key.expiresAt !== null) data.expiresAt = key.expiresAt;
  if (key.lastUsedAt !== null) data.lastUsedAt = key.lastUsedAt;
  // Presented with a rotation's previous secret: say until when it works, so the client moves.
  if (caller.previousSecretExpiresAt !== undefined) {
    data.rotation = { previousSecretExpiresAt: caller.previousSecretExpiresAt };
  }
  return data;
}

/** The required scopes the key lacks, judged by `match`: empty when the key may go ahead. */
export function missingScopes(held: readonly Scope[], required: readonly Scope[], match: 'all' | 'any'): Scope[] {
  const missing = required.filter((scope) => !held.includes(scope));
  if (match === 'any') return missing.length < required.length ? [] : missing;
  return missing;
}

export function registerVerifyApiKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'verifyApiKey', {
    audit: null,
    // A person's code session is refused before the handler (API_KEY_REQUIRED).
    handler: async ({ caller, body }) => {
      if (caller.key === null) throw new ApiError('API_KEY_REQUIRED');
      if (body.requiredScopes === undefined) {
        if (body.match !== undefined) throw validationError({ match: 'match needs requiredScopes' });
        return verifyData(caller);
      }
      const required = checkScopeLists({ requiredScopes: body.requiredScopes }).requiredScopes ?? [];
      const match = body.match ?? 'all';
      const missing = missingScopes(caller.key.scopes, required, match);
      if (missing.length > 0) {
        const message =
          match === 'any'
            ? `The API key holds none of the required scopes: ${missing.join(', ')}`
            : `The API key lacks required scopes: ${missing.join(', ')}`;
        throw new ApiError('INSUFFICIENT_SCOPE', { message, details: { missing, required, match } });
      }
      return verifyData(caller);
    },
  });
}
