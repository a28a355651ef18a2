/**
 * A code request (signup-request, login-request), the same steps for both:
 *   1. sign-up only: the policy (403 SIGNUP_DISABLED; it depends on the address's domain only);
 *   2. the throttles per address and per source (429 RATE_LIMITED, Retry-After);
 *   3. what applies to the address — a code (sign-in: the address has an account; sign-up: it
 *      has none, or one that belongs to no organization), or a mail that says why there is none
 *      ("no account — sign up instead", "you already have an account — sign in instead");
 *      either way one write (the new code saved, replacing the old; or the old one removed);
 *   4. the mail, always one: a mail that cannot be handed over answers 503 MAIL_UNAVAILABLE and
 *      takes its code back, so no usable code is left behind.
 * The answer is the same in every case (`{email, expiresInSeconds}`): nothing tells whether
 * the address has an account.
 */
import { CODE_TTL_SECONDS } from '@codika/contract/operations';
import type { CodeSentData } from '@codika/contract/schemas';
import { iso } from '../clock.js';
import { ApiError } from '../http/errors.js';
import type { PublicOperationContext } from '../http/operation.js';
import { normalizeEmail } from '../store/emails.js';
import type { CodePurpose } from '../store/types.js';
import { hashCode, newCode } from './codes.js';
import { mailUnavailable, signupDisabled } from './errors.js';
import { MailDeliveryError, type MailMessage } from './mailer.js';
import { existingAccountMail, loginCodeMail, noAccountMail, signupCodeMail } from './messages.js';
import { signupAllowed } from './policy.js';

export async function requestCode(ctx: PublicOperationContext<{ email: string }>, purpose: CodePurpose): Promise<CodeSentData> {
  const { config, now } = ctx;
  const email = normalizeEmail(ctx.body.email);
  const mayJoin = signupAllowed(config.signup, email);
  if (purpose === 'signup' && !mayJoin) throw signupDisabled();

  const wait = config.codeRequestThrottle?.take(email, ctx.request.ip, now.getTime()) ?? 0;
  if (wait > 0) {
    throw new ApiError('RATE_LIMITED', {
      message: 'Too many code requests for this address or from this source; retry later',
      details: { retryAfterSeconds: wait },
      nextAction: `Wait ${wait} seconds, then request a new code`,
    });
  }

  const { store } = config;
  // The same queries whatever the address (no user: an id that matches nothing), so the time
  // an answer takes says as little as its body.
  const user = await store.getUserByEmail(email);
  const organizations = await store.listUserOrganizations(user?.id ?? '');
  const code = newCode();
  const codeHash = hashCode(code, { email, purpose });
  let mail: MailMessage;
  let saved = false;
  const codeApplies = purpose === 'login' ? user !== undefined : organizations.length === 0;
  if (codeApplies) {
    await store.saveLoginCode({
      email,
      purpose,
      codeHash,
      createdAt: iso(now),
      expiresAt: iso(new Date(now.getTime() + CODE_TTL_SECONDS * 1000)),
    });
    saved = true;
    mail = purpose === 'login' ? loginCodeMail(email, code) : signupCodeMail(email, code);
  } else {
    // A new request replaces the previous code, here with none.
    await store.deleteLoginCode(email);
    mail = purpose === 'login' ? noAccountMail(email, mayJoin) : existingAccountMail(email);
  }

  try {
    await config.mailer.send(mail);
  } catch (err) {
    if (saved) await store.deleteLoginCode(email, codeHash);
    throw mailUnavailable(err instanceof MailDeliveryError ? err : new MailDeliveryError(String(err), { cause: err }));
  }
  return { email, expiresInSeconds: CODE_TTL_SECONDS };
}
