/**
 * The dashboard's sign-in by e-mailed code. The codes are the CLI's own (accounts/): the same
 * table, six digits, ten minutes, five wrong tries burn a code, the same throttles (per address
 * and per source on requests; a wrong code is a 401 the per-source failed-authentication
 * throttle counts).
 *
 *   POST /dashboard/api/code/request  { email }        → requestCode(…, 'login'), exactly as
 *                                                         /clirequestloginotp: the same answer for
 *                                                         every address (no account enumeration)
 *   POST /dashboard/api/code/complete { email, code }  → the code checked and consumed
 *                                                         (store.redeemLoginCode: last sign-in and
 *                                                         an account.login audit row), then a
 *                                                         person's session: in their only
 *                                                         organization, or none yet with the list
 *                                                         to choose from (session/organization)
 *
 * Both need the CSRF header like every dashboard request (for complete, against login CSRF).
 * Wrong, used, burned or expired code, and an address without an account: one answer,
 * 401 INVALID_CODE.
 */
import { DASHBOARD_API } from '@codika/contract/dashboard';
import { DASHBOARD_SCHEMAS, type DashboardData } from '@codika/contract/dashboard-schemas';
import type { FastifyInstance } from 'fastify';
import { codeMatches, MAX_CODE_ATTEMPTS } from '../accounts/codes.js';
import { scopesForRole } from '../accounts/minting.js';
import { requestCode } from '../accounts/request-code.js';
import { asCredentialGuess } from '../http/auth.js';
import { successBody } from '../http/envelope.js';
import { ApiError } from '../http/errors.js';
import { publicOperationContext, type ServerConfig } from '../http/operation.js';
import type { UserCaller } from '../http/request-state.js';
import { checkCsrf } from '../http/session.js';
import { validateBody } from '../http/validation.js';
import { normalizeEmail } from '../store/emails.js';
import { openSession, userSessionData } from './dashboard-sessions.js';

export function registerDashboardCodeSignIn(app: FastifyInstance, config: ServerConfig): void {
  app.post(DASHBOARD_API.codeRequest, async (request, reply) => {
    checkCsrf(request);
    reply.header('cache-control', 'no-store');
    const body = validateBody(DASHBOARD_SCHEMAS.codeRequest.request, request.body);
    const data: DashboardData<'codeRequest'> = await requestCode(publicOperationContext(request, config, body), 'login');
    return successBody(request.id, data);
  });

  app.post(DASHBOARD_API.codeComplete, async (request, reply) => {
    checkCsrf(request);
    reply.header('cache-control', 'no-store');
    const body = validateBody(DASHBOARD_SCHEMAS.codeComplete.request, request.body);
    const ctx = publicOperationContext(request, config, body);
    const email = normalizeEmail(body.email);
    const outcome = await config.store.redeemLoginCode({
      email,
      purpose: 'login',
      now: ctx.nowIso,
      check: (stored) => codeMatches(body.code, stored, { email, purpose: 'login' }),
      maxAttempts: MAX_CODE_ATTEMPTS,
      audit: ctx.audit,
    });
    if (outcome.status === 'invalid_code') {
      throw asCredentialGuess(
        new ApiError('INVALID_CODE', { nextAction: 'Check the code in the latest e-mail, or ask for a new one' }),
      );
    }
    const { user, organizations } = outcome;
    const only = organizations.length === 1 ? organizations[0] : undefined;
    if (organizations.length === 0) {
      throw new ApiError('NO_ORGANIZATION', {
        nextAction: 'Ask an admin of your organization to add you, then sign in with a new code',
      });
    }
    await openSession(request, reply, config.store, { userId: user.id, organizationId: only?.id ?? null });
    if (only === undefined) {
      const data: DashboardData<'codeComplete'> = {
        signedIn: false,
        chooseOrganization: {
          email: user.email,
          organizations: organizations.map((o) => ({ organizationId: o.id, organizationName: o.name, role: o.role })),
        },
      };
      return successBody(request.id, data);
    }
    const organization = await config.store.getOrganization(only.id);
    if (organization === undefined) throw new ApiError('NO_ORGANIZATION');
    const caller: UserCaller = { key: null, scopes: scopesForRole(only.role), organization, user, role: only.role };
    request.state.caller = caller;
    const data: DashboardData<'codeComplete'> = { signedIn: true, ...userSessionData(caller) };
    return successBody(request.id, data);
  });
}
