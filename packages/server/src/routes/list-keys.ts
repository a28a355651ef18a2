/**
 * POST /listorganizationapikeyspublic — the keys of the caller key's organization: the live
 * ones, oldest first (what the public CLI asks with `{}`), or with `state`, `unusedSince`,
 * `expiresBefore` and `sort` the keys an operator is looking for ("unused for 30 days",
 * "expiring next week", "revoked").
 */
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
      const { state, unusedSince, expiresBefore, sort } = body;
      const filtered = state !== undefined || unusedSince !== undefined || expiresBefore !== undefined || sort !== undefined;
      const keys = filtered
        ? await config.store.listKeys({
            organizationId,
            now: nowIso,
            state: state ?? 'live',
            sort: sort ?? 'created',
            ...(unusedSince === undefined ? {} : { unusedSince }),
            ...(expiresBefore === undefined ? {} : { expiresBefore }),
          })
        : await config.store.listLiveKeys(organizationId, nowIso);
      const data: ListKeysData = { keys: keys.map((k) => keySummary(k, now.getTime())) };
      return data;
    },
  });
}
