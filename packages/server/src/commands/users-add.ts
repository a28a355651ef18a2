/**
 * `codika-server users add --organization-id <id> --email <email> --role owner|admin|member`
 *
 * Through the same store method as the API (audited alike). Keys the user still held in the
 * organization from an earlier membership are revoked, and the command says so.
 */
import type { Command } from 'commander';
import { iso } from '../clock.js';
import { newId } from '../ids.js';
import type { Role } from '../store/types.js';
import { type CommandDeps, UsageError } from './command-deps.js';
import { operatorAuditOrigin } from './operator.js';
import { type Env, type OrgFlags, type OrgOptions, parseEmail, parseOrgOptions, parseRole } from './options.js';
import { registerSubcommand, runOnOrganization } from './subcommand.js';

export interface UsersAddOptions extends OrgOptions {
  email: string;
  role: Role;
}

export function parseUsersAddOptions(raw: OrgFlags & { email?: unknown; role?: unknown }, env: Env): UsersAddOptions {
  return { ...parseOrgOptions(raw, env), email: parseEmail(raw.email), role: parseRole(raw.role) };
}

export async function runUsersAdd(options: UsersAddOptions, deps: CommandDeps): Promise<number> {
  return runOnOrganization(options, deps, async (store, org) => {
    const outcome = await store.addMember({
      organizationId: org.id,
      email: options.email,
      role: options.role,
      newUserId: newId(),
      now: iso(deps.clock()),
      actor: { kind: 'operator' },
      audit: operatorAuditOrigin(deps.clock),
    });
    switch (outcome.status) {
      case 'organization_not_found':
        throw new UsageError(`no organization with id "${options.organizationId}"`);
      case 'exists':
        throw new UsageError(
          `${outcome.member.email} is already ${outcome.member.role} of "${org.name}"; use users set-role to change it`,
        );
      case 'denied':
        throw new UsageError(`refused: ${outcome.code}`);
      case 'added':
        break;
    }
    const data = {
      organizationId: org.id,
      userId: outcome.member.userId,
      email: outcome.member.email,
      role: outcome.member.role,
      revokedKeyIds: outcome.revokedKeyIds,
    };
    const revoked = data.revokedKeyIds.length;
    return {
      data,
      text: `✓ ${data.email} added to "${org.name}" as ${data.role} (user ${data.userId})\n`,
      ...(revoked > 0
        ? {
            warning: `! ${revoked} live key(s) left from an earlier membership of ${data.email} were revoked: ${data.revokedKeyIds.join(', ')}\n`,
          }
        : {}),
    };
  });
}

export function registerUsersAdd(users: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  registerSubcommand(
    users,
    {
      name: 'add',
      description: 'add a user (created if new) to an organization with a role',
      options: (command) =>
        command
          .requiredOption('--organization-id <id>', 'the organization')
          .requiredOption('--email <email>', "the user's email")
          .requiredOption('--role <role>', 'owner, admin or member'),
      parse: parseUsersAddOptions,
      run: runUsersAdd,
    },
    deps,
    env,
    done,
  );
}
