/**
 * POST /dashboard/api/session/organization { organizationId } — a person signed in to the
 * dashboard by e-mailed code chooses the organization the session acts in (after sign-in, when
 * they belong to several; later, to switch). Only a person's session may (a key's session acts
 * in its key's organization); only an organization the person belongs to *now* (else 404
 * ORGANIZATION_NOT_FOUND, the same answer for one that does not exist). Answers the session as
 * /dashboard/api/session/current does. Same CSRF rule as every dashboard request.
 */
import { DASHBOARD_API } from '@codika/contract/dashboard';
import { DASHBOARD_SCHEMAS, type DashboardData } from '@codika/contract/dashboard-schemas';
import type { FastifyInstance } from 'fastify';
import { scopesForRole } from '../accounts/minting.js';
import { iso } from '../clock.js';
import { successBody } from '../http/envelope.js';
import { ApiError } from '../http/errors.js';
import type { ServerConfig } from '../http/operation.js';
import type { UserCaller } from '../http/request-state.js';
import { checkCsrf, hashSessionId, isSessionIdShape, sessionIdOf } from '../http/session.js';
import { validateBody } from '../http/validation.js';
import { userSessionData } from './dashboard-sessions.js';

export function registerDashboardOrganization(app: FastifyInstance, config: ServerConfig): void {
  app.post(DASHBOARD_API.sessionOrganization, async (request, reply) => {
    checkCsrf(request);
    reply.header('cache-control', 'no-store');
    const id = sessionIdOf(request);
    if (id === undefined || !isSessionIdShape(id)) throw new ApiError('UNAUTHENTICATED');
    const idHash = hashSessionId(id);
    const now = iso(request.state.now);
    const person = await config.store.findUserBySession(idHash, now);
    if (person === undefined) throw new ApiError('UNAUTHENTICATED');
    const { organizationId } = validateBody(DASHBOARD_SCHEMAS.sessionOrganization.request, request.body);
    const chosen = (await config.store.listUserOrganizations(person.user.id)).find((o) => o.id === organizationId);
    if (chosen === undefined) throw new ApiError('ORGANIZATION_NOT_FOUND');
    const organization = await config.store.getOrganization(organizationId);
    if (organization === undefined) throw new ApiError('ORGANIZATION_NOT_FOUND');
    if (!(await config.store.setSessionOrganization(idHash, organizationId, now))) throw new ApiError('UNAUTHENTICATED');
    const caller: UserCaller = {
      key: null,
      scopes: scopesForRole(chosen.role),
      organization,
      user: person.user,
      role: chosen.role,
    };
    request.state.caller = caller;
    return successBody<DashboardData<'sessionOrganization'>>(request.id, { signedIn: true, ...userSessionData(caller) });
  });
}
