/** The errors of the accounts operations, each with the next step it offers a person. */
import { asCredentialGuess } from '../http/auth.js';
import { ApiError } from '../http/errors.js';
import { SIGNUP_DISABLED_NEXT_ACTION } from './policy.js';

export const MAIL_UNAVAILABLE_NEXT_ACTION =
  "Try again in a few minutes; if it keeps failing, tell the server's operator (its mail server refused or did not answer)";

export function signupDisabled(): ApiError {
  return new ApiError('SIGNUP_DISABLED', { nextAction: SIGNUP_DISABLED_NEXT_ACTION });
}

/** Wrong, used, burned, expired or never-sent: one answer for all; a guess for the brute-force throttle. */
export function invalidCode(command: 'signup-request' | 'login-request', email: string): ApiError {
  return asCredentialGuess(
    new ApiError('INVALID_CODE', {
      nextAction: `Check the code in the latest e-mail, or request a new one: codika auth ${command} --email ${email}`,
    }),
  );
}

export function mailUnavailable(cause: unknown): ApiError {
  return new ApiError('MAIL_UNAVAILABLE', { nextAction: MAIL_UNAVAILABLE_NEXT_ACTION, cause });
}
