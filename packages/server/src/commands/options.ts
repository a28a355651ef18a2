/**
 * Parsing and checking of the options the operator subcommands share. Everything here
 * throws UsageError (exit 2) with a message meant for the operator.
 */
import { EXPIRES_IN_DAYS_MAX } from '@codika/contract/operations';
import { KeyDescription, KeyName } from '@codika/contract/schemas';
import { describeInvalidScopes, isScope, type Scope, splitScopeList } from '@codika/contract/scopes';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { StoreOptions } from '../store/index.js';
import { isPostgresUrl } from '../store/postgres.js';
import { ROLES, type Role } from '../store/types.js';
import { UsageError } from './command-deps.js';

export const DEFAULT_DB_FILE = './.codika/codika.db';
export const DB_ENV = 'CODIKA_DB';
export const DATABASE_URL_ENV = 'DATABASE_URL';

export type Env = Readonly<Record<string, string | undefined>>;

/** The database flags every subcommand takes (see addDatabaseOptions). */
export interface DatabaseFlags {
  db?: string;
  databaseUrl?: string;
}

/** Give a subcommand `--db <file>` and `--database-url <url>`. */
export function addDatabaseOptions(command: Command): Command {
  return command
    .option('--db <file>', `SQLite database file (default: $${DB_ENV} or ${DEFAULT_DB_FILE})`)
    .option(
      '--database-url <url>',
      `PostgreSQL instead of SQLite: postgres://user@host:5432/database (default: $${DATABASE_URL_ENV})`,
    );
}

function postgres(url: string, from: string): StoreOptions {
  if (!isPostgresUrl(url)) throw new UsageError(`${from} must be a postgres:// or postgresql:// URL`);
  try {
    new URL(url.trim());
  } catch {
    throw new UsageError(`${from} is not a valid URL`);
  }
  return { databaseUrl: url.trim() };
}

function sqlite(file: string, from: string): StoreOptions {
  if (file.trim() === '') throw new UsageError(`${from} must not be empty`);
  return { sqliteFile: file };
}

/**
 * Which database: `--database-url` (PostgreSQL) or `--db` (SQLite file), never both; without
 * either, `DATABASE_URL` or `CODIKA_DB` (not both); else ./.codika/codika.db.
 */
export function resolveDatabase(flags: DatabaseFlags, env: Env): StoreOptions {
  if (flags.db !== undefined && flags.databaseUrl !== undefined) {
    throw new UsageError('use either --db (SQLite) or --database-url (PostgreSQL), not both');
  }
  if (flags.databaseUrl !== undefined) return postgres(flags.databaseUrl, '--database-url');
  if (flags.db !== undefined) return sqlite(flags.db, '--db');
  const envUrl = env[DATABASE_URL_ENV];
  const envFile = env[DB_ENV];
  if (envUrl !== undefined && envUrl.trim() !== '') {
    if (envFile !== undefined && envFile.trim() !== '') {
      throw new UsageError(`both ${DATABASE_URL_ENV} and ${DB_ENV} are set; choose with --database-url or --db`);
    }
    return postgres(envUrl, DATABASE_URL_ENV);
  }
  return sqlite(envFile ?? DEFAULT_DB_FILE, DB_ENV);
}

/** The flags every subcommand takes, and what they become. */
export type SubcommandFlags = DatabaseFlags & { json?: boolean };
export interface SubcommandOptions {
  database: StoreOptions;
  json: boolean;
}

export function parseSubcommandOptions(raw: SubcommandFlags, env: Env): SubcommandOptions {
  return { database: resolveDatabase(raw, env), json: raw.json === true };
}

/** The flags of a subcommand that acts on an organization, and what they become. */
export type OrgFlags = SubcommandFlags & { organizationId?: unknown };
export interface OrgOptions extends SubcommandOptions {
  organizationId: string;
}

export function parseOrgOptions(raw: OrgFlags, env: Env): OrgOptions {
  const { database, json } = parseSubcommandOptions(raw, env);
  return { database, organizationId: requireString(raw.organizationId, '--organization-id'), json };
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

/** A value checked by one of the contract's schemas; its first problem is the UsageError's message. */
export function parseWithSchema<T>(schema: z.ZodType<T>, value: unknown, flag: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(`${flag}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function parseKeyName(value: unknown, flag = '--name'): string {
  return parseWithSchema(KeyName, requireString(value, flag), flag);
}

export function parseDescription(value: unknown): string {
  return value === undefined ? '' : parseWithSchema(KeyDescription, value, '--description');
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
