/**
 * `codika-server start --auth-failure-budget <max>/<seconds>` (or $CODIKA_AUTH_FAILURE_BUDGET):
 * how many failed authentications one source address may make per sliding window before it
 * is answered 429 RATE_LIMITED. `off` turns the throttle off; unset keeps the default (20/60).
 */
import type { AuthFailureBudget } from '../http/auth-throttle.js';
import { UsageError } from './command-deps.js';

export const AUTH_FAILURE_BUDGET_ENV = 'CODIKA_AUTH_FAILURE_BUDGET';
export const AUTH_FAILURE_BUDGET_FLAG = '--auth-failure-budget <max/seconds>';
export const AUTH_FAILURE_BUDGET_HELP = `failed authentications one address may make per window before 429, e.g. 20/60, or "off" (default: $${AUTH_FAILURE_BUDGET_ENV} or 20/60)`;

/** undefined: neither flag nor environment given (the server's default applies). */
export function parseAuthFailureBudget(
  flag: unknown,
  env: Readonly<Record<string, string | undefined>>,
): AuthFailureBudget | false | undefined {
  return parseBudget('--auth-failure-budget', AUTH_FAILURE_BUDGET_ENV, flag, env);
}

export const DENIED_ATTEMPT_BUDGET_ENV = 'CODIKA_DENIED_ATTEMPT_BUDGET';
export const DENIED_ATTEMPT_BUDGET_FLAG = '--denied-attempt-budget <max/seconds>';
export const DENIED_ATTEMPT_BUDGET_HELP = `refused attempts (4xx) one key may make at audited operations per window before those are answered 429 without an audit row each, e.g. 30/60, or "off" (default: $${DENIED_ATTEMPT_BUDGET_ENV} or 30/60)`;

/** `--denied-attempt-budget` (http/denial-throttle.ts); undefined: the server's default. */
export function parseDeniedAttemptBudget(
  flag: unknown,
  env: Readonly<Record<string, string | undefined>>,
): AuthFailureBudget | false | undefined {
  return parseBudget('--denied-attempt-budget', DENIED_ATTEMPT_BUDGET_ENV, flag, env);
}

function parseBudget(
  flagName: string,
  envName: string,
  flag: unknown,
  env: Readonly<Record<string, string | undefined>>,
): AuthFailureBudget | false | undefined {
  const fromEnv = env[envName];
  const value = flag ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : undefined);
  if (value === undefined) return undefined;
  const text = String(value).trim().toLowerCase();
  if (text === 'off') return false;
  const m = /^(\d{1,9})\s*\/\s*(\d{1,7})$/.exec(text);
  const max = Number(m?.[1]);
  const seconds = Number(m?.[2]);
  if (!m || max < 1 || seconds < 1) {
    throw new UsageError(`${flagName} must be <max>/<seconds> with both at least 1 (e.g. 20/60), or off (got "${text}")`);
  }
  return { max, windowMs: seconds * 1000 };
}
