/**
 * `codika-server bootstrap --org-name <name> --owner-email <email>`: create an organization,
 * its owner and an owner key with all ten scopes; print the raw key once.
 */
import { OrganizationName } from '@codika/contract/schemas';
import { SCOPES } from '@codika/contract/scopes';
import type { Command } from 'commander';
import { type Clock, iso } from '../clock.js';
import { newId } from '../ids.js';
import type { Store } from '../store/types.js';
import type { CommandDeps } from './command-deps.js';
import { issueOperatorKey } from './operator.js';
import {
  type Env,
  parseEmail,
  parseSubcommandOptions,
  parseWithSchema,
  requireString,
  type SubcommandFlags,
  type SubcommandOptions,
} from './options.js';
import { registerSubcommand, runSubcommand } from './subcommand.js';

export interface BootstrapOptions extends SubcommandOptions {
  orgName: string;
  ownerEmail: string;
}

export interface BootstrapResult {
  organizationId: string;
  userId: string;
  keyId: string;
  apiKey: string;
}

/** The contract's organization name rules (1-100 characters, no control characters). */
export function parseOrgName(value: unknown): string {
  return parseWithSchema(OrganizationName, requireString(value, '--org-name'), '--org-name');
}

export function parseBootstrapOptions(
  raw: SubcommandFlags & { orgName?: unknown; ownerEmail?: unknown },
  env: Env,
): BootstrapOptions {
  return { ...parseSubcommandOptions(raw, env), orgName: parseOrgName(raw.orgName), ownerEmail: parseEmail(raw.ownerEmail) };
}

/** Organization + owner + owner key with every scope. Also used by `start --first-run-bootstrap`. */
export async function bootstrapOrganization(
  store: Store,
  clock: Clock,
  params: { orgName: string; ownerEmail: string },
): Promise<BootstrapResult> {
  const createdAt = iso(clock());
  const org = await store.createOrganization({ id: newId(), name: params.orgName, createdAt });
  const user = await store.ensureUser({ id: newId(), email: params.ownerEmail, createdAt });
  await store.setMembership({ organizationId: org.id, userId: user.id, role: 'owner' });
  const issued = await issueOperatorKey(store, clock, {
    organizationId: org.id,
    userId: user.id,
    name: 'Owner key',
    description: `Created by codika-server bootstrap for ${user.email}`,
    scopes: [...SCOPES],
    expiresInDays: null,
  });
  return { organizationId: org.id, userId: user.id, keyId: issued.key.id, apiKey: issued.apiKey };
}

export async function runBootstrap(options: BootstrapOptions, deps: CommandDeps): Promise<number> {
  return runSubcommand(options, deps, async (store) => {
    const result = await bootstrapOrganization(store, deps.clock, options);
    const text = [
      `✓ Organization "${options.orgName}" created`,
      `Organization ID: ${result.organizationId}`,
      `Owner:           ${options.ownerEmail} (user ${result.userId})`,
      `Key ID:          ${result.keyId}`,
      'API key (shown once, store it now):',
      `  ${result.apiKey}`,
      '',
    ].join('\n');
    return { data: result, text };
  });
}

export function registerBootstrap(program: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  registerSubcommand(
    program,
    {
      name: 'bootstrap',
      description: 'create an organization, its owner and an owner key with all ten scopes (prints the key once)',
      options: (command) =>
        command
          .requiredOption('--org-name <name>', 'name of the new organization')
          .requiredOption('--owner-email <email>', 'email of its owner'),
      parse: parseBootstrapOptions,
      run: runBootstrap,
    },
    deps,
    env,
    done,
  );
}
