/**
 * POST /clicompletesignup — sign up with the e-mailed code (no key): the user, an organization
 * they own and a key with all ten scopes, in one transaction with their audit rows. A wrong,
 * used, burned or expired code answers 401 INVALID_CODE (counted by the failed-authentication
 * throttle); the sign-up policy is judged first (403 SIGNUP_DISABLED).
 */
import { DEFAULT_ORGANIZATION_NAME } from '@codika/contract/operations';
import type { SignedInData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { codeMatches, MAX_CODE_ATTEMPTS } from '../accounts/codes.js';
import { invalidCode, signupDisabled } from '../accounts/errors.js';
import { mintedKeyData, newMintedKey, scopesForRole } from '../accounts/minting.js';
import { signupAllowed } from '../accounts/policy.js';
import { registerPublicOperation, type ServerConfig } from '../http/operation.js';
import { newId } from '../ids.js';
import { normalizeEmail } from '../store/emails.js';

export function registerCompleteSignup(app: FastifyInstance, config: ServerConfig): void {
  registerPublicOperation(app, config, 'completeSignup', {
    handler: async ({ body, now, nowIso, audit }) => {
      const email = normalizeEmail(body.email);
      if (!signupAllowed(config.signup, email)) throw signupDisabled();
      const key = newMintedKey(body.apiKey, now, 'Minted at sign-up by e-mailed code');
      const outcome = await config.store.completeSignup({
        email,
        purpose: 'signup',
        now: nowIso,
        check: (stored) => codeMatches(body.code, stored, { email, purpose: 'signup' }),
        maxAttempts: MAX_CODE_ATTEMPTS,
        userId: newId(),
        organization: {
          id: newId(),
          name: body.company?.name ?? DEFAULT_ORGANIZATION_NAME,
          description: body.company?.description ?? '',
          size: null,
        },
        key: key.input,
        scopes: scopesForRole('owner'),
        audit,
      });
      if (outcome.status === 'invalid_code') throw invalidCode('signup-request', email);
      const data: SignedInData = {
        organizationId: outcome.organization.id,
        organizationName: outcome.organization.name,
        isNewUser: outcome.isNewUser,
        apiKey: mintedKeyData(outcome.key, key.rawKey),
      };
      return data;
    },
  });
}
