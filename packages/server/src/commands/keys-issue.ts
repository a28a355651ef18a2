/**
 * `codika-server keys issue --organization-id <id> --email <email> --name <name> --scopes <a,b>
 *  [--description <text>] [--expires-in-days <n>]` — the operator issues a key for any member,
 * whatever their role (how a plain member gets a key). Prints the raw key once.
 */
import type { Scope } from '@codika/contract/scopes';
import type { Command } from 'commander';
import type { CommandDeps } from './command-deps.js';
import { issueOperatorKey, requireMember } from './operator.js';
import {
  type Env,
  type OrgFlags,
  type OrgOptions,
  parseDescription,
  parseEmail,
  parseExpiresInDays,
  parseKeyName,
  parseOrgOptions,
  parseScopes,
} from './options.js';
import { registerSubcommand, runOnOrganization } from './subcommand.js';

export interface KeysIssueOptions extends OrgOptions {
  email: string;
  name: string;
  scopes: Scope[];
  description: string;
  expiresInDays: number | null;
}

export function parseKeysIssueOptions(
  raw: OrgFlags & { email?: unknown; name?: unknown; scopes?: unknown; description?: unknown; expiresInDays?: unknown },
  env: Env,
): KeysIssueOptions {
  return {
    ...parseOrgOptions(raw, env),
    email: parseEmail(raw.email),
    name: parseKeyName(raw.name),
    scopes: parseScopes(raw.scopes),
    description: parseDescription(raw.description),
    expiresInDays: parseExpiresInDays(raw.expiresInDays),
  };
}

export async function runKeysIssue(options: KeysIssueOptions, deps: CommandDeps): Promise<number> {
  return runOnOrganization(options, deps, async (store, org) => {
    const { user, membership } = await requireMember(store, org, options.email);
    const { key, apiKey } = await issueOperatorKey(store, deps.clock, {
      organizationId: org.id,
      userId: user.id,
      name: options.name,
      description: options.description,
      scopes: options.scopes,
      expiresInDays: options.expiresInDays,
    });
    const data = {
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
    };
    const lines = [
      `✓ API key issued for ${user.email} (${membership.role})`,
      `Key ID:  ${key.id}`,
      `Name:    ${key.name}`,
      `Scopes:  ${key.scopes.join(', ')}`,
    ];
    if (key.expiresAt !== null) lines.push(`Expires: ${key.expiresAt}`);
    lines.push('API key (shown once, store it now):', `  ${apiKey}`, '');
    return { data, text: lines.join('\n') };
  });
}

export function registerKeysIssue(keys: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  registerSubcommand(
    keys,
    {
      name: 'issue',
      description: 'issue an organization API key for a member of any role (prints the key once)',
      options: (command) =>
        command
          .requiredOption('--organization-id <id>', 'the organization')
          .requiredOption('--email <email>', 'the member the key acts for')
          .requiredOption('--name <name>', 'key name (1-100 characters)')
          .requiredOption('--scopes <scopes>', 'comma-separated scopes')
          .option('--description <text>', 'key description (up to 500 characters)')
          .option('--expires-in-days <n>', 'expire after this many days (1-365)'),
      parse: parseKeysIssueOptions,
      run: runKeysIssue,
    },
    deps,
    env,
    done,
  );
}
