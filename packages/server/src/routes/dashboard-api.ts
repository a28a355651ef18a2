/**
 * The dashboard's own endpoints (paths and schemas in the contract: dashboard.ts,
 * dashboard-schemas.ts). The key operations themselves are the API's, reached with the
 * session cookie instead of the key header (see http/auth.ts):
 *
 *   session          { apiKey }  → checks the key exactly as /verifyapikey does, opens a
 *                                  session, sets the cookie, answers the /verifyapikey data
 *   sessionEnd       {}          → deletes the session and the cookie
 *   sessionCurrent   {}          → { signedIn: false } without a session cookie, else the
 *                                  /verifyapikey data of the session's key, or a person's
 *                                  session data (code sign-in, dashboard-sessions.ts), or the
 *                                  organizations to choose from (401, and the cookie deleted,
 *                                  when the session is no longer valid). The page asks this
 *                                  when it opens, so a visitor who is not signed in costs no
 *                                  failed authentication.
 *   audit            { keyId }   → the audit rows of a key of the caller's organization
 *                                  (api-keys:manage, admin or owner, like every key operation)
 *   inactiveKeys     {}          → the organization's revoked and expired keys (same rights),
 *                                  which the keys page hides unless asked
 */
import { AUDIT_LIMIT_DEFAULT, DASHBOARD_API } from '@codika/contract/dashboard';
import { DASHBOARD_SCHEMAS, type DashboardData } from '@codika/contract/dashboard-schemas';
import { MANAGE_SCOPE } from '@codika/contract/scopes';
import type { FastifyInstance } from 'fastify';
import { API_KEY_HEADER_NAME, authenticate, authenticateRequest, clientOf } from '../http/auth.js';
import { successBody } from '../http/envelope.js';
import { ApiError } from '../http/errors.js';
import { registerAuthenticatedRoute, type ServerConfig } from '../http/operation.js';
import { checkCsrf, clearedSessionCookie, hashSessionId, isHttps, sessionIdOf } from '../http/session.js';
import { validateBody } from '../http/validation.js';
import { keySummary } from '../http/views.js';
import { openSession, pendingChoice, signedInData } from './dashboard-sessions.js';
import { verifyData } from './verify-api-key.js';

const schemas = DASHBOARD_SCHEMAS;

export function registerDashboardApi(app: FastifyInstance, config: ServerConfig): void {
  app.post(DASHBOARD_API.session, async (request, reply) => {
    checkCsrf(request);
    const { apiKey } = validateBody(schemas.session.request, request.body);
    const now = request.state.now;
    const caller = await authenticate(
      apiKey,
      now,
      {
        store: config.store,
        lastUsedIntervalMs: config.lastUsedIntervalMs,
        lastUsedWaitMs: config.lastUsedWaitMs,
        client: clientOf(request),
      },
      (err) => request.log.warn({ err }, 'could not record the last use of a key'),
    );
    request.state.caller = caller;
    // Signing in again replaces the browser's previous session.
    await openSession(request, reply, config.store, { keyId: caller.key.id });
    return successBody<DashboardData<'session'>>(request.id, verifyData(caller));
  });

  app.post(DASHBOARD_API.sessionEnd, async (request, reply) => {
    checkCsrf(request);
    validateBody(schemas.sessionEnd.request, request.body);
    const id = sessionIdOf(request);
    if (id !== undefined) await config.store.deleteSession(hashSessionId(id));
    reply.header('set-cookie', clearedSessionCookie({ secure: isHttps(request) })).header('cache-control', 'no-store');
    return successBody<DashboardData<'sessionEnd'>>(request.id, { signedOut: true });
  });

  app.post(DASHBOARD_API.sessionCurrent, async (request, reply) => {
    validateBody(schemas.sessionCurrent.request, request.body);
    reply.header('cache-control', 'no-store');
    if (sessionIdOf(request) === undefined) {
      return successBody<DashboardData<'sessionCurrent'>>(request.id, { signedIn: false });
    }
    try {
      const caller = await authenticateRequest(
        request,
        request.state.now,
        {
          store: config.store,
          lastUsedIntervalMs: config.lastUsedIntervalMs,
          lastUsedWaitMs: config.lastUsedWaitMs,
          client: clientOf(request),
        },
        (err) => request.log.warn({ err }, 'could not record the last use of a key'),
      );
      request.state.caller = caller;
      return successBody<DashboardData<'sessionCurrent'>>(request.id, signedInData(caller));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') {
        // A person who signed in by code and has yet to choose an organization (the CSRF
        // rule was checked before the session was looked up).
        if (request.headers[API_KEY_HEADER_NAME] === undefined) {
          const choose = await pendingChoice(config.store, request);
          if (choose !== undefined) return successBody(request.id, { signedIn: false, chooseOrganization: choose });
        }
        reply.header('set-cookie', clearedSessionCookie({ secure: isHttps(request) }));
      }
      throw err;
    }
  });

  registerAuthenticatedRoute(app, config, {
    path: DASHBOARD_API.audit,
    scope: MANAGE_SCOPE,
    callers: 'key-or-user',
    schema: schemas.audit.request,
    audit: null,
    handler: async ({ caller, body }): Promise<DashboardData<'audit'>> => {
      // Filtered by the caller's organization: another organization's key id, an unknown id
      // and a key with no history all answer an empty list.
      const rows = await config.store.listAudit({
        organizationId: caller.organization.id,
        targetKeyId: body.keyId,
        limit: body.limit ?? AUDIT_LIMIT_DEFAULT,
      });
      return {
        entries: rows.map((row) => ({
          id: row.id,
          at: row.at,
          action: row.action,
          result: row.result,
          reason: row.reason,
          actorKeyId: row.actorKeyId,
          actorUserId: row.actorUserId,
          before: row.before,
          after: row.after,
          sourceIp: row.sourceIp,
          userAgent: row.userAgent,
          requestId: row.requestId,
        })),
      };
    },
  });

  registerAuthenticatedRoute(app, config, {
    path: DASHBOARD_API.inactiveKeys,
    scope: MANAGE_SCOPE,
    callers: 'key-or-user',
    schema: schemas.inactiveKeys.request,
    audit: null,
    handler: async ({ caller, now, nowIso }): Promise<DashboardData<'inactiveKeys'>> => {
      const keys = await config.store.listInactiveKeys(caller.organization.id, nowIso);
      return {
        keys: keys.map((k) => ({ ...keySummary(k, now.getTime()), ...(k.revokedAt === null ? {} : { revokedAt: k.revokedAt }) })),
      };
    },
  });
}
