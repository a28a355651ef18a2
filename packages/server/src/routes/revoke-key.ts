/**
 * POST /revokeorganizationapikeypublic — revoke a live key; it stops authenticating at once.
 * The key hierarchy (roles.ts) is judged inside the store's transaction, once the key was
 * found live in the caller's organization: a key whose creator now ranks above the caller
 * answers 403 ROLE_HIERARCHY (and any other id the same 404 as ever).
 */
import type { RevokeKeyData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { keyHierarchyDenial } from '../roles.js';

export function registerRevokeKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'revokeKey', {
    audit: 'key.revoke',
    handler: async ({ caller, body, nowIso, audited }) => {
      const outcome = await audited((audit) =>
        config.store.revokeKey({
          organizationId: caller.organization.id,
          keyId: body.keyId,
          now: nowIso,
          judge: (_key, { creatorRole }) => {
            const code = keyHierarchyDenial(caller.role, creatorRole);
            return code === null ? null : new ApiError(code);
          },
          audit,
        }),
      );
      if (outcome.status === 'not_found') throw new ApiError('KEY_NOT_FOUND');
      if (outcome.status === 'denied') throw outcome.denial;
      const data: RevokeKeyData = { keyId: outcome.key.id, revokedAt: outcome.key.revokedAt ?? nowIso };
      return data;
    },
  });
}
