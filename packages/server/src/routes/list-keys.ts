/** POST /listorganizationapikeyspublic — the live keys of the caller key's organization. */
import type { ListKeysData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { keySummary } from '../http/views.js';

export function registerListKeys(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'listKeys', {
    audit: null,
    handler: async ({ caller, body, now, nowIso }) => {
      const organizationId = body.organizationId ?? caller.organization.id;
      if (organizationId !== caller.organization.id) throw new ApiError('ORGANIZATION_NOT_FOUND');
      const keys = await config.store.listLiveKeys(organizationId, nowIso);
      const data: ListKeysData = { keys: keys.map((k) => keySummary(k, now.getTime())) };
      return data;
    },
  });
}
