/** POST /verifyapikey — who am I. Any valid key, no particular scope. */
import type { VerifyApiKeyData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import type { KeyCaller } from '../http/request-state.js';

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

export function registerVerifyApiKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'verifyApiKey', {
    audit: null,
    // A person's code session is refused before the handler (API_KEY_REQUIRED).
    handler: async ({ caller }) => {
      if (caller.key === null) throw new ApiError('API_KEY_REQUIRED');
      return verifyData(caller);
    },
  });
}
