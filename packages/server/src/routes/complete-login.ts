/**
 * POST /clicompletelogin — sign in with the e-mailed code (no key): a fresh key in one of the
 * user's organizations, with the scopes their role allows there, in one transaction with its
 * audit rows. When the code is right but the sign-in cannot finish (several organizations and
 * no organizationId, an organization that is not theirs, none at all, a full organization) the
 * code is neither consumed nor counted: the person re-runs with the same code.
 */
import type { SignedInData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { codeMatches, MAX_CODE_ATTEMPTS } from '../accounts/codes.js';
import { invalidCode } from '../accounts/errors.js';
import { mintedKeyData, newMintedKey, scopesForRole } from '../accounts/minting.js';
import { ApiError } from '../http/errors.js';
import { registerPublicOperation, type ServerConfig } from '../http/operation.js';
import { normalizeEmail } from '../store/emails.js';
import type { UserOrganization } from '../store/types.js';

function listed(organizations: UserOrganization[]) {
  return organizations.map((o) => ({ id: o.id, name: o.name }));
}

export function registerCompleteLogin(app: FastifyInstance, config: ServerConfig): void {
  registerPublicOperation(app, config, 'completeLogin', {
    handler: async ({ body, now, nowIso, audit }) => {
      const email = normalizeEmail(body.email);
      const key = newMintedKey(body.apiKey, now, 'Minted at sign-in by e-mailed code');
      const outcome = await config.store.completeLogin({
        email,
        purpose: 'login',
        now: nowIso,
        check: (stored) => codeMatches(body.code, stored, { email, purpose: 'login' }),
        maxAttempts: MAX_CODE_ATTEMPTS,
        ...(body.organizationId === undefined ? {} : { organizationId: body.organizationId }),
        key: key.input,
        scopesFor: scopesForRole,
        maxLiveKeys: config.maxKeysPerOrg,
        audit,
      });
      switch (outcome.status) {
        case 'invalid_code':
          throw invalidCode('login-request', email);
        case 'no_organization':
          throw new ApiError('NO_ORGANIZATION', {
            nextAction: 'Ask an admin of your organization to add you, then sign in again with the same code',
          });
        case 'multiple_organizations':
          throw new ApiError('MULTIPLE_ORGANIZATIONS', {
            message: `This user belongs to ${outcome.organizations.length} organizations; choose one with organizationId`,
            nextAction: 'Re-run with --organization-id <id>',
            details: { organizations: listed(outcome.organizations) },
          });
        case 'organization_not_found':
          throw new ApiError('ORGANIZATION_NOT_FOUND', {
            message: 'You are not a member of that organization',
            nextAction: 'Re-run with --organization-id set to one of your organizations (details.organizations)',
            details: { organizations: listed(outcome.organizations) },
          });
        case 'limit_reached':
          throw new ApiError('MAX_API_KEYS_REACHED', {
            details: { limit: outcome.limit },
            nextAction:
              'Revoke a key the organization no longer uses (the dashboard, or codika organization revoke-key), then sign in again with the same code',
          });
        case 'signed_in': {
          const data: SignedInData = {
            organizationId: outcome.organization.id,
            organizationName: outcome.organization.name,
            apiKey: mintedKeyData(outcome.key, key.rawKey),
          };
          return data;
        }
      }
    },
  });
}
