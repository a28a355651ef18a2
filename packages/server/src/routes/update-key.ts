/**
 * POST /updateorganizationapikeypublic — replace scopes, rename, change the description;
 * plus addScopes/removeScopes (applied atomically by the store), dryRun and force
 * (docs/server.md, Rules every key change obeys). Semantic checks, then the store locks the live
 * target, computes the new fields and asks the judge below (key hierarchy, empty result,
 * escalation, self-lockout) inside its transaction; a refusal is the judge's own ApiError,
 * handed back in the outcome and thrown as is. The store writes the audit row of every outcome.
 * The key's lifecycle (issue 12): `expiresAt` (null: none; the organization's maximum lifetime),
 * `enabled`, `allowedIps` (null: none), with the self-lockout guard's cases for them.
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
    handler: async ({ request, caller, body, now, nowIso, audited }) => {
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

      // Decided inside the store's transaction, against the locked row; a denial comes back as is.
      const judge: ChangeJudge<ApiError> = (before, after, { creatorRole, maxKeyLifetimeDays }) => {
        // First: a key of a higher role is not the caller's to change, whatever the change.
        const hierarchy = keyHierarchyDenial(caller.role, creatorRole);
        if (hierarchy !== null) return new ApiError(hierarchy);
        if (after.scopes.length === 0) return invalidScopes('A key must keep at least one scope', []);
        const notHeld = after.scopes.filter((s) => !before.scopes.includes(s) && !caller.scopes.includes(s));
        if (notHeld.length > 0) return new ApiError('SCOPE_ESCALATION', { details: { notHeld } });
        // Only a change of the expiry is judged by the maximum: a key that already breaks a newly
        // tightened maximum may still be renamed, its scopes changed (it is reported, not cut).
        const lifetime = change.expiresAt === undefined ? null : lifetimeDenial(change.expiresAt, nowMs, maxKeyLifetimeDays);
        if (lifetime !== null) return lifetime;
        if (before.id === caller.key?.id && body.force !== true) {
          const lockout = lifecycleLockout(before, after, request.ip);
          if (lockout !== null) return lockout;
        }
        const locksOut =
          before.id === caller.key?.id &&
          before.scopes.includes(MANAGE_SCOPE) &&
          !after.scopes.includes(MANAGE_SCOPE) &&
          body.force !== true;
        return locksOut ? new ApiError('SELF_LOCKOUT') : null;
      };

      const outcome = await audited((audit) =>
        config.store.updateKey({
          organizationId: caller.organization.id,
          keyId: body.keyId,
          change,
          dryRun: body.dryRun === true,
          now: nowIso,
          judge,
          audit,
        }),
      );

      switch (outcome.status) {
        case 'not_found':
          throw new ApiError('KEY_NOT_FOUND');
        case 'denied':
          throw outcome.denial;
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
