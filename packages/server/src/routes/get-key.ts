/** POST /getorganizationapikeypublic — one live key of the caller key's organization. */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { keySummary } from '../http/views.js';

export function registerGetKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'getKey', {
    audit: null,
    handler: async ({ caller, body, nowIso }) => {
      const key = await config.store.getLiveKey(caller.organization.id, body.keyId, nowIso);
      // Another organization's key, a revoked or expired key and an unknown id: one answer.
      if (key === undefined) throw new ApiError('KEY_NOT_FOUND');
      return keySummary(key);
    },
  });
}
