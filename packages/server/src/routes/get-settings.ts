/**
 * POST /getorganizationsettingspublic — the caller's organization's settings (the maximum key
 * lifetime) and the live keys that break them (reported, never cut). Admins and owners.
 */
import type { SettingsData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { keysBreakingPolicy } from '../http/lifecycle.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';

export function registerGetSettings(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'getSettings', {
    audit: null,
    handler: async ({ caller, now, nowIso }) => {
      const settings = await config.store.getOrganizationSettings(caller.organization.id);
      if (settings === undefined) throw new ApiError('ORGANIZATION_NOT_FOUND');
      const data: SettingsData = {
        organizationId: settings.organizationId,
        maxKeyLifetimeDays: settings.maxKeyLifetimeDays,
        keysExceedingPolicy: keysBreakingPolicy(
          await config.store.listLiveKeys(caller.organization.id, nowIso),
          now.getTime(),
          settings.maxKeyLifetimeDays,
        ),
      };
      return data;
    },
  });
}
