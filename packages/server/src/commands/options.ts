/**
 * Parsing and checking of the options the operator subcommands share. Everything here
 * throws UsageError (exit 2) with a message meant for the operator.
 */
import { EXPIRES_IN_DAYS_MAX } from '@codika/contract/operations';
import { KeyDescription, KeyName } from '@codika/contract/schemas';
import { describeInvalidScopes, isScope, type Scope, splitScopeList } from '@codika/contract/scopes';
import { ROLES, type Role } from '../store/types.js';
import { UsageError } from './context.js';

export const DEFAULT_DB_FILE = './.codika/codika.db';
export const DB_ENV = 'CODIKA_DB';

export type Env = Readonly<Record<string, string | undefined>>;

/** `--db`, else `CODIKA_DB`, else ./.codika/codika.db. */
export function resolveDbFile(flag: string | undefined, env: Env): string {
  const value = flag ?? env[DB_ENV] ?? DEFAULT_DB_FILE;
  if (value.trim() === '') throw new UsageError('--db must not be empty');
  return value;
}

export function requireString(value: unknown, flag: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${flag} is required`);
  return value.trim();
}

export function parseRole(value: unknown): Role {
  const role = requireString(value, '--role');
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role must be one of ${ROLES.join(', ')} (got "${role}")`);
  }
  return role as Role;
}

const EMAIL = /^[^\s@]+@[^\s@]+$/;

export function parseEmail(value: unknown): string {
  const email = requireString(value, '--email').toLowerCase();
  if (!EMAIL.test(email) || email.length > 254) throw new UsageError(`--email "${email}" is not an email address`);
  return email;
}

export function parseScopes(value: unknown): Scope[] {
  const entries = splitScopeList(requireString(value, '--scopes'));
  if (entries.length === 0) throw new UsageError('--scopes must name at least one scope');
  const invalid = entries.filter((s) => !isScope(s));
  if (invalid.length > 0) throw new UsageError(describeInvalidScopes(invalid));
  return entries as Scope[];
}

export function parseKeyName(value: unknown, flag = '--name'): string {
  const parsed = KeyName.safeParse(requireString(value, flag));
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function parseDescription(value: unknown): string {
  if (value === undefined) return '';
  const parsed = KeyDescription.safeParse(value);
  if (!parsed.success) throw new UsageError(`--description: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function parseExpiresInDays(value: unknown): number | null {
  if (value === undefined) return null;
  const text = String(value).trim();
  const days = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(days) || days < 1 || days > EXPIRES_IN_DAYS_MAX) {
    throw new UsageError(`--expires-in-days must be a whole number from 1 to ${EXPIRES_IN_DAYS_MAX} (got "${text}")`);
  }
  return days;
}

export function parsePort(value: unknown): number {
  const text = String(value ?? '').trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535 (got "${text}")`);
  return port;
}
