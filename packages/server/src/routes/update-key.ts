/**
 * POST /updateorganizationapikeypublic — replace scopes, rename, change the description;
 * plus addScopes/removeScopes (applied atomically by the store), dryRun and force
 * (docs/server.md, Rules every key change obeys). Semantic checks, then the store locks the live
 * target, computes the new fields and asks the judge below (key hierarchy, empty result,
 * escalation, self-lockout) inside
 * its transaction; it writes the audit row for every outcome it decides.
 */
import { keyUpdateProblem } from '@codika/contract/rules';
import type { UpdateKeyData } from '@codika/contract/schemas';
import { MANAGE_SCOPE } from '@codika/contract/scopes';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { checkedAllowedIps, checkedExpiresAt, lifecycleLockout, lifetimeDenial } from '../http/lifecycle.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { checkScopeLists, invalidScopes } from '../http/scopes.js';
import { validationError } from '../http/validation.js';
import { keyHierarchyDenial } from '../roles.js';
import { fieldsOf } from '../store/key-fields.js';
import type { ChangeJudge, KeyChange } from '../store/types.js';

export function registerUpdateKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'updateKey', {
    audit: 'key.update',
    handler: async ({ request, caller, body, now, nowIso, audit, markAudited }) => {
      switch (keyUpdateProblem(body)) {
        case 'SCOPES_COMBINED':
          throw validationError({ scopes: 'scopes cannot be combined with addScopes or removeScopes' });
        case 'NO_FIELDS':
          throw new ApiError('NO_FIELDS');
      }
      const lists = checkScopeLists({ scopes: body.scopes, addScopes: body.addScopes, removeScopes: body.removeScopes });
      const both = (lists.addScopes ?? []).filter((s) => lists.removeScopes?.includes(s));
      if (both.length > 0) {
        throw validationError({ removeScopes: `cannot both add and remove: ${both.join(', ')}` });
      }

      const change: KeyChange = {};
      if (body.name !== undefined) change.name = body.name;
      if (body.description !== undefined) change.description = body.description;
      if (lists.scopes !== undefined) change.scopes = lists.scopes;
      if (lists.addScopes !== undefined) change.addScopes = lists.addScopes;
      if (lists.removeScopes !== undefined) change.removeScopes = lists.removeScopes;
      // Key lifecycle: expiry (null: none), enabled, allowlist (null: none).
      const nowMs = now.getTime();
      if (body.expiresAt !== undefined)
        change.expiresAt = body.expiresAt === null ? null : checkedExpiresAt(body.expiresAt, nowMs);
      if (body.enabled !== undefined) change.enabled = body.enabled;
      if (body.allowedIps !== undefined) change.allowedIps = body.allowedIps === null ? null : checkedAllowedIps(body.allowedIps);

      // Decided inside the store's transaction, against the locked row.
      let denial: ApiError | undefined;
      const judge: ChangeJudge = (before, after, { creatorRole, maxKeyLifetimeDays }) => {
        // First: a key of a higher role is not the caller's to change, whatever the change.
        const hierarchy = keyHierarchyDenial(caller.role, creatorRole);
        if (hierarchy !== null) {
          denial = new ApiError(hierarchy);
        } else if (after.scopes.length === 0) {
          denial = invalidScopes('A key must keep at least one scope', []);
        } else {
          const notHeld = after.scopes.filter((s) => !before.scopes.includes(s) && !caller.scopes.includes(s));
          const ownKey = before.id === caller.key?.id && body.force !== true;
          if (notHeld.length > 0) {
            denial = new ApiError('SCOPE_ESCALATION', { details: { notHeld } });
          } else if (change.expiresAt !== undefined && lifetimeDenial(change.expiresAt, nowMs, maxKeyLifetimeDays)) {
            // Only a change of the expiry is judged by the maximum: a key that already breaks a
            // newly tightened maximum may still be renamed, its scopes changed (it is reported, not cut).
            denial = lifetimeDenial(change.expiresAt, nowMs, maxKeyLifetimeDays) ?? undefined;
          } else if (ownKey && lifecycleLockout(before, after, request.ip)) {
            denial = lifecycleLockout(before, after, request.ip) ?? undefined;
          } else if (
            before.id === caller.key?.id &&
            before.scopes.includes(MANAGE_SCOPE) &&
            !after.scopes.includes(MANAGE_SCOPE) &&
            body.force !== true
          ) {
            denial = new ApiError('SELF_LOCKOUT');
          }
        }
        return denial === undefined ? null : { code: denial.code, ...(denial.details ? { details: denial.details } : {}) };
      };

      const outcome = await config.store.updateKey({
        organizationId: caller.organization.id,
        keyId: body.keyId,
        change,
        dryRun: body.dryRun === true,
        now: nowIso,
        judge,
        audit: audit(body.keyId),
      });
      markAudited();

      switch (outcome.status) {
        case 'not_found':
          throw new ApiError('KEY_NOT_FOUND');
        case 'denied':
          throw denial ?? new ApiError('INTERNAL', { message: `store denied the update with ${outcome.code}` });
        case 'dry_run':
        case 'updated': {
          const { before, after } = outcome;
          const data: UpdateKeyData = {
            keyId: after.id,
            name: after.name,
            description: after.description,
            scopes: after.scopes,
            updatedAt: after.updatedAt,
          };
          // The lifecycle fields when not at their default (as in `previous` and audit rows).
          const { expiresAt, enabled, allowedIps } = fieldsOf(after);
          if (expiresAt !== undefined) data.expiresAt = expiresAt;
          if (enabled !== undefined) data.enabled = enabled;
          if (allowedIps !== undefined) data.allowedIps = allowedIps;
          data.previous = fieldsOf(before);
          if (outcome.status === 'dry_run') data.dryRun = true;
          return data;
        }
      }
    },
  });
}
