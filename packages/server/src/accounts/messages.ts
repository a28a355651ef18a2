/**
 * What the e-mails say. Four cases, one mail each, so that a request answers the same whatever
 * the address (no account enumeration) while the mail — which only the address's owner reads —
 * says what applies: a code, or why there is none and what to do instead. The mails without a
 * code carry no number that could be taken for one.
 */
import { CODE_TTL_SECONDS } from '@codika/contract/operations';
import type { MailMessage } from './mailer.js';

const MINUTES = Math.round(CODE_TTL_SECONDS / 60);
const IGNORE = 'If you did not ask for this, ignore this mail: nothing happens without the code.';

export function signupCodeMail(to: string, code: string): MailMessage {
  return {
    to,
    subject: 'Your codika sign-up code',
    gist: `sign-up code ${code} (valid ${MINUTES} minutes)`,
    text: [
      `Your codika sign-up code is ${code}`,
      '',
      `It is valid for ${MINUTES} minutes and works once. Finish signing up with:`,
      '',
      `  codika auth signup-complete --email ${to} --code ${code}`,
      '',
      IGNORE,
      '',
    ].join('\n'),
  };
}

export function loginCodeMail(to: string, code: string): MailMessage {
  return {
    to,
    subject: 'Your codika sign-in code',
    gist: `sign-in code ${code} (valid ${MINUTES} minutes)`,
    text: [
      `Your codika sign-in code is ${code}`,
      '',
      `It is valid for ${MINUTES} minutes and works once. Finish signing in with:`,
      '',
      `  codika auth login-complete --email ${to} --code ${code}`,
      '',
      IGNORE,
      '',
    ].join('\n'),
  };
}

/** A sign-in was asked for an address without an account. */
export function noAccountMail(to: string, signupAllowed: boolean): MailMessage {
  const next = signupAllowed
    ? ['Sign up instead:', '', `  codika auth signup-request --email ${to}`]
    : ['This server does not take sign-ups: ask an admin of your organization to add you, then sign in.'];
  return {
    to,
    subject: 'Your codika sign-in',
    gist: signupAllowed
      ? 'no account for this address — sign up instead (no code sent)'
      : 'no account for this address — ask an admin to add you (no code sent)',
    text: [
      'Someone asked to sign in to codika with this address, but there is no account for it.',
      '',
      ...next,
      '',
      IGNORE,
      '',
    ].join('\n'),
  };
}

/** A sign-up was asked for an address that already has an account. */
export function existingAccountMail(to: string): MailMessage {
  return {
    to,
    subject: 'Your codika sign-up',
    gist: 'you already have an account — sign in instead (no code sent)',
    text: [
      'Someone asked to sign up to codika with this address, but you already have an account.',
      '',
      'Sign in instead:',
      '',
      `  codika auth login-request --email ${to}`,
      '',
      IGNORE,
      '',
    ].join('\n'),
  };
}
