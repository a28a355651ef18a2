/**
 * `codika-server keys issue --organization-id <id> --email <email> --name <name> --scopes <a,b>
 *  [--description <text>] [--expires-in-days <n>]` — the operator issues a key for any member,
 * whatever their role (how a plain member gets a key). Prints the raw key once.
 */
import type { Scope } from '@codika/contract/scopes';
import type { Command } from 'commander';
import type { StoreOptions } from '../store/index.js';
import { type CommandDeps, EXIT_OK, guard, printJson, withStore } from './command-deps.js';
import { issueOperatorKey, requireMember, requireOrganization } from './operator.js';
import {
  addDatabaseOptions,
  type DatabaseFlags,
  type Env,
  parseDescription,
  parseEmail,
  parseExpiresInDays,
  parseKeyName,
  parseScopes,
  requireString,
  resolveDatabase,
} from './options.js';

export interface KeysIssueOptions {
  database: StoreOptions;
  organizationId: string;
  email: string;
  name: string;
  scopes: Scope[];
  description: string;
  expiresInDays: number | null;
  json: boolean;
}

export function parseKeysIssueOptions(
  raw: DatabaseFlags & {
    organizationId?: unknown;
    email?: unknown;
    name?: unknown;
    scopes?: unknown;
    description?: unknown;
    expiresInDays?: unknown;
    json?: boolean;
  },
  env: Env,
): KeysIssueOptions {
  return {
    database: resolveDatabase(raw, env),
    organizationId: requireString(raw.organizationId, '--organization-id'),
    email: parseEmail(raw.email),
    name: parseKeyName(raw.name),
    scopes: parseScopes(raw.scopes),
    description: parseDescription(raw.description),
    expiresInDays: parseExpiresInDays(raw.expiresInDays),
    json: raw.json === true,
  };
}

export async function runKeysIssue(options: KeysIssueOptions, deps: CommandDeps): Promise<number> {
  return guard(deps.io, async () => {
    const { issued, role, email } = await withStore(deps, options.database, async (store) => {
      const org = await requireOrganization(store, options.organizationId);
      const { user, membership } = await requireMember(store, org, options.email);
      const issued = await issueOperatorKey(store, deps.clock, {
        organizationId: org.id,
        userId: user.id,
        name: options.name,
        description: options.description,
        scopes: options.scopes,
        expiresInDays: options.expiresInDays,
      });
      return { issued, role: membership.role, email: user.email };
    });
    const { key, apiKey } = issued;
    if (options.json) {
      printJson(deps.io, {
        keyId: key.id,
        apiKey,
        keyPrefix: key.prefix,
        name: key.name,
        description: key.description,
        scopes: key.scopes,
        organizationId: key.organizationId,
        userId: key.createdByUserId,
        createdAt: key.createdAt,
        ...(key.expiresAt === null ? {} : { expiresAt: key.expiresAt }),
      });
    } else {
      const lines = [
        `✓ API key issued for ${email} (${role})`,
        `Key ID:  ${key.id}`,
        `Name:    ${key.name}`,
        `Scopes:  ${key.scopes.join(', ')}`,
      ];
      if (key.expiresAt !== null) lines.push(`Expires: ${key.expiresAt}`);
      lines.push('API key (shown once, store it now):', `  ${apiKey}`, '');
      deps.io.out(lines.join('\n'));
    }
    return EXIT_OK;
  });
}

export function registerKeysIssue(keys: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  addDatabaseOptions(
    keys.command('issue').description('issue an organization API key for a member of any role (prints the key once)'),
  )
    .requiredOption('--organization-id <id>', 'the organization')
    .requiredOption('--email <email>', 'the member the key acts for')
    .requiredOption('--name <name>', 'key name (1-100 characters)')
    .requiredOption('--scopes <scopes>', 'comma-separated scopes')
    .option('--description <text>', 'key description (up to 500 characters)')
    .option('--expires-in-days <n>', 'expire after this many days (1-365)')
    .option('--json', 'print the result as JSON')
    .action(async (raw) => {
      done(await guard(deps.io, async () => runKeysIssue(parseKeysIssueOptions(raw, env), deps)));
    });
}
