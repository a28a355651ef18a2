/**
 * `codika-server start` options of accounts: how codes are mailed and who may sign up.
 *   --smtp-url smtp://user:pass@host:port   ($CODIKA_SMTP_URL; smtps:// for TLS from the start)
 *   --mail-from "codika <no-reply@example.com>"   ($CODIKA_MAIL_FROM; default codika <no-reply@localhost>)
 *   --signup closed|open                    ($CODIKA_SIGNUP; default closed)
 *   --signup-domains example.com,…          ($CODIKA_SIGNUP_DOMAINS; sign-up open to those domains only)
 * Without an SMTP URL the console outbox prints each mail's gist (the code) on the server's
 * terminal. A flag wins over its environment variable.
 */
import { CLOSED_SIGNUP, type SignupPolicy } from '../accounts/policy.js';
import { DEFAULT_MAIL_FROM } from '../accounts/smtp-mailer.js';
import { UsageError } from './command-deps.js';
import type { Env } from './options.js';

export const SMTP_URL_ENV = 'CODIKA_SMTP_URL';
export const MAIL_FROM_ENV = 'CODIKA_MAIL_FROM';
export const SIGNUP_ENV = 'CODIKA_SIGNUP';
export const SIGNUP_DOMAINS_ENV = 'CODIKA_SIGNUP_DOMAINS';

export interface AccountsOptions {
  /** undefined: the console outbox. */
  smtpUrl?: string;
  mailFrom: string;
  signup: SignupPolicy;
}

export interface AccountsFlags {
  smtpUrl?: unknown;
  mailFrom?: unknown;
  signup?: unknown;
  signupDomains?: unknown;
}

function pick(flag: unknown, env: Env, name: string): string | undefined {
  if (flag !== undefined) return String(flag);
  const value = env[name];
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const CONTROL = /[\u0000-\u001f\u007f]/;
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function parseSmtpUrl(value: string, from: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${from} is not a URL (e.g. smtp://user:pass@mail.example.com:587)`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new UsageError(`${from} must be an smtp:// or smtps:// URL (got ${url.protocol}//…)`);
  }
  if (url.hostname === '') throw new UsageError(`${from} must name a host`);
  return text;
}

/** `Name <address>` or a bare address; no control characters (they would forge headers). */
export function parseMailFrom(value: string, from: string): string {
  const text = value.trim();
  if (CONTROL.test(text)) throw new UsageError(`${from} must not contain control characters`);
  const angle = /^[^<>]*<([^<>]+)>$/.exec(text);
  const address = angle ? angle[1] : text;
  if (address === undefined || !ADDRESS.test(address.trim())) {
    throw new UsageError(`${from} must be an address, e.g. "codika <no-reply@example.com>" (got "${text}")`);
  }
  return text;
}

export function parseSignupPolicy(
  mode: string | undefined,
  domains: string | undefined,
  from: { mode: string; domains: string },
): SignupPolicy {
  const m = mode?.trim().toLowerCase();
  if (m !== undefined && m !== 'open' && m !== 'closed') {
    throw new UsageError(`${from.mode} must be closed or open (got "${mode}")`);
  }
  if (domains === undefined) return m === 'open' ? { mode: 'open', domains: null } : CLOSED_SIGNUP;
  if (m === 'closed')
    throw new UsageError(`${from.domains} opens sign-up to those domains; it cannot go with ${from.mode} closed`);
  const list = domains
    .split(',')
    .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
    .filter((d) => d !== '');
  if (list.length === 0) throw new UsageError(`${from.domains} must name at least one domain`);
  const bad = list.filter((d) => !DOMAIN.test(d));
  if (bad.length > 0) throw new UsageError(`${from.domains}: not a domain: ${bad.join(', ')}`);
  return { mode: 'open', domains: [...new Set(list)] };
}

export function parseAccountsOptions(raw: AccountsFlags, env: Env): AccountsOptions {
  const smtp = pick(raw.smtpUrl, env, SMTP_URL_ENV);
  const mailFrom = pick(raw.mailFrom, env, MAIL_FROM_ENV);
  const signupMode = pick(raw.signup, env, SIGNUP_ENV);
  const signupDomains = pick(raw.signupDomains, env, SIGNUP_DOMAINS_ENV);
  const fromName = (flag: string, envName: string, value: unknown) => (value !== undefined ? flag : envName);
  return {
    ...(smtp === undefined ? {} : { smtpUrl: parseSmtpUrl(smtp, fromName('--smtp-url', SMTP_URL_ENV, raw.smtpUrl)) }),
    mailFrom:
      mailFrom === undefined ? DEFAULT_MAIL_FROM : parseMailFrom(mailFrom, fromName('--mail-from', MAIL_FROM_ENV, raw.mailFrom)),
    signup: parseSignupPolicy(signupMode, signupDomains, {
      mode: fromName('--signup', SIGNUP_ENV, raw.signup),
      domains: fromName('--signup-domains', SIGNUP_DOMAINS_ENV, raw.signupDomains),
    }),
  };
}
