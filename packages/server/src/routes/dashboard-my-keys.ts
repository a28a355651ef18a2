/**
 * A person's own keys, for the dashboard of a member signed in by e-mailed code (members hold
 * no api-keys:manage, so the key operations refuse them):
 *
 *   POST /dashboard/api/my-keys        {}          → { keys: [ …key summaries ] }: the live keys
 *                                                   of the session's organization that this
 *                                                   person created
 *   POST /dashboard/api/my-keys/revoke { keyId }   → { keyId, revokedAt }: revoke one of them
 *
 * Only a person's session may call them (403 USER_SESSION_REQUIRED for an API key, even one of
 * that person's: a narrow CI key must not list or revoke its siblings). Any role may: an owner
 * or admin has their own keys too. A key the person did not create answers 404 KEY_NOT_FOUND
 * exactly like one that does not exist, so nothing can be probed; every revoke attempt is an
 * audit row naming the person (actor_user_id) and no key.
 */
import { DASHBOARD_API } from '@codika/contract/dashboard';
import { DASHBOARD_SCHEMAS, type DashboardData } from '@codika/contract/dashboard-schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { registerAuthenticatedRoute, type ServerConfig } from '../http/operation.js';
import { keySummary } from '../http/views.js';

export function registerDashboardMyKeys(app: FastifyInstance, config: ServerConfig): void {
  registerAuthenticatedRoute(app, config, {
    path: DASHBOARD_API.myKeys,
    scope: null,
    callers: 'user',
    schema: DASHBOARD_SCHEMAS.myKeys.request,
    audit: null,
    handler: async ({ caller, now, nowIso }): Promise<DashboardData<'myKeys'>> => {
      const keys = await config.store.listLiveKeys(caller.organization.id, nowIso);
      return { keys: keys.filter((k) => k.createdByUserId === caller.user.id).map((k) => keySummary(k, now.getTime())) };
    },
  });

  registerAuthenticatedRoute(app, config, {
    path: DASHBOARD_API.myKeysRevoke,
    scope: null,
    callers: 'user',
    schema: DASHBOARD_SCHEMAS.myKeysRevoke.request,
    audit: 'key.revoke',
    handler: async ({ caller, body, nowIso, audited }): Promise<DashboardData<'myKeysRevoke'>> => {
      // A key's creator never changes, so this check holds for the revoke below; a key revoked
      // in between is not found there. A refusal here is audited by the error handler.
      const key = await config.store.getLiveKey(caller.organization.id, body.keyId, nowIso);
      if (key === undefined || key.createdByUserId !== caller.user.id) throw new ApiError('KEY_NOT_FOUND');
      const outcome = await audited((audit) =>
        config.store.revokeKey({
          organizationId: caller.organization.id,
          keyId: body.keyId,
          now: nowIso,
          audit,
        }),
      );
      // No judge is given (the person made the key, so no hierarchy stands between them): only not_found can refuse.
      if (outcome.status !== 'revoked') throw new ApiError('KEY_NOT_FOUND');
      return { keyId: outcome.key.id, revokedAt: outcome.key.revokedAt ?? nowIso };
    },
  });
}
