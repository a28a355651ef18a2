/** POST /revokeorganizationapikeypublic — revoke a live key; it stops authenticating at once. */
import type { RevokeKeyData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';

export function registerRevokeKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'revokeKey', {
    audit: 'key.revoke',
    handler: async ({ caller, body, nowIso, audit, markAudited }) => {
      const outcome = await config.store.revokeKey({
        organizationId: caller.organization.id,
        keyId: body.keyId,
        now: nowIso,
        audit: audit(body.keyId),
      });
      markAudited();
      if (outcome.status === 'not_found') throw new ApiError('KEY_NOT_FOUND');
      const data: RevokeKeyData = { keyId: outcome.key.id, revokedAt: outcome.key.revokedAt ?? nowIso };
      return data;
    },
  });
}
