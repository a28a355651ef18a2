/**
 * POST /getorganizationapikeypublic — one live key of the caller key's organization. A key
 * whose creator now ranks above the caller answers 403 ROLE_HIERARCHY, like update and
 * revoke (the list still shows it: who holds what is useful to an admin).
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { keySummary } from '../http/views.js';
import { keyHierarchyDenial } from '../roles.js';

export function registerGetKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'getKey', {
    audit: null,
    handler: async ({ caller, body, now, nowIso }) => {
      const key = await config.store.getLiveKey(caller.organization.id, body.keyId, nowIso);
      // Another organization's key, a revoked or expired key and an unknown id: one answer.
      if (key === undefined) throw new ApiError('KEY_NOT_FOUND');
      const creator = await config.store.getMembership(caller.organization.id, key.createdByUserId);
      const denial = keyHierarchyDenial(caller.role, creator?.role ?? null);
      if (denial !== null) throw new ApiError(denial);
      return keySummary(key, now.getTime());
    },
  });
}
