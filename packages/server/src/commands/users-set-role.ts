/**
 * `codika-server users set-role --organization-id <id> --email <email> --role owner|admin|member [--force]`
 *
 * Through the same store method as the API, so the change is judged inside its transaction
 * and audited alike: the operator is bound only by the last-owner rule, which `--force`
 * passes (to repair a broken organization; the command then says the organization has no
 * owner and the audit row records it).
 */
import type { Command } from 'commander';
import { iso } from '../clock.js';
import { type CommandDeps, UsageError } from './command-deps.js';
import { lastOwnerError, noOwnerWarning, operatorAuditOrigin } from './operator.js';
import type { Env, OrgFlags } from './options.js';
import { registerSubcommand, runOnOrganization } from './subcommand.js';
import { parseUsersAddOptions, type UsersAddOptions } from './users-add.js';

/** The options of `users add` (organization, email, role), and --force. */
export interface UsersSetRoleOptions extends UsersAddOptions {
  force: boolean;
}

export function parseUsersSetRoleOptions(
  raw: OrgFlags & { email?: unknown; role?: unknown; force?: boolean },
  env: Env,
): UsersSetRoleOptions {
  return { ...parseUsersAddOptions(raw, env), force: raw.force === true };
}

export async function runUsersSetRole(options: UsersSetRoleOptions, deps: CommandDeps): Promise<number> {
  return runOnOrganization(options, deps, async (store, org) => {
    const outcome = await store.updateMemberRole({
      organizationId: org.id,
      member: { email: options.email },
      role: options.role,
      now: iso(deps.clock()),
      actor: { kind: 'operator', force: options.force },
      audit: operatorAuditOrigin(deps.clock),
    });
    switch (outcome.status) {
      case 'organization_not_found':
        throw new UsageError(`no organization with id "${options.organizationId}"`);
      case 'not_found':
        throw new UsageError(`${options.email} is not a member of "${org.name}" (${org.id})`);
      case 'denied':
        if (outcome.code === 'LAST_OWNER') throw lastOwnerError(options.email, org, 'demote');
        throw new UsageError(`refused: ${outcome.code}`);
      case 'updated':
        break;
    }
    const data = {
      organizationId: org.id,
      userId: outcome.member.userId,
      email: outcome.member.email,
      role: outcome.member.role,
      previousRole: outcome.previousRole,
      forced: outcome.forced,
    };
    return {
      data,
      text: `✓ ${data.email} is now ${data.role} of "${org.name}" (was ${data.previousRole})\n`,
      ...(outcome.forced ? { warning: noOwnerWarning(org) } : {}),
    };
  });
}

export function registerUsersSetRole(users: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  registerSubcommand(
    users,
    {
      name: 'set-role',
      description: "change a member's role in an organization (takes effect on their keys at once)",
      options: (command) =>
        command
          .requiredOption('--organization-id <id>', 'the organization')
          .requiredOption('--email <email>', "the member's email")
          .requiredOption('--role <role>', 'owner, admin or member')
          .option('--force', 'demote the last owner anyway, leaving the organization without an owner (repair only)'),
      parse: parseUsersSetRoleOptions,
      run: runUsersSetRole,
    },
    deps,
    env,
    done,
  );
}
