/**
 * POST /updateorganizationsettingspublic — change the caller's organization's settings:
 * `maxKeyLifetimeDays` (1–365, null: no maximum). Owners only (an admin: 403 NOT_ORG_OWNER).
 * A tightened maximum applies to expiries set from now on (create, update, rotate); live keys
 * that break it are listed in the answer (`keysExceedingPolicy`) and keep working until they
 * are changed, rotated, revoked or expire — reported, never silently cut. Audited
 * (`organization.settings_update`, before/after `{ maxKeyLifetimeDays }`).
 */
import type { UpdateSettingsData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { keysBreakingPolicy } from '../http/lifecycle.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';

export function registerUpdateSettings(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'updateSettings', {
    audit: 'organization.settings_update',
    handler: async ({ caller, body, now, nowIso, audited }) => {
      // The role was read at authentication (admin or owner); only an owner changes settings.
      // The error handler writes the denial's audit row.
      if (caller.role !== 'owner') throw new ApiError('NOT_ORG_OWNER');
      const outcome = await audited((audit) =>
        config.store.updateOrganizationSettings({
          organizationId: caller.organization.id,
          maxKeyLifetimeDays: body.maxKeyLifetimeDays,
          audit,
        }),
      );
      // Only when the caller's organization vanished under the request (nothing was written).
      if (outcome.status === 'organization_not_found') throw new ApiError('ORGANIZATION_NOT_FOUND');
      const { after, before } = outcome;
      const data: UpdateSettingsData = {
        organizationId: after.organizationId,
        maxKeyLifetimeDays: after.maxKeyLifetimeDays,
        keysExceedingPolicy: keysBreakingPolicy(
          await config.store.listLiveKeys(caller.organization.id, nowIso),
          now.getTime(),
          after.maxKeyLifetimeDays,
        ),
        previous: { maxKeyLifetimeDays: before.maxKeyLifetimeDays },
      };
      return data;
    },
  });
}
