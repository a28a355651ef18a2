/** `codika-server users set-role --organization-id <id> --email <email> --role owner|admin|member` */
import type { Command } from 'commander';
import type { CommandDeps } from './command-deps.js';
import { requireMember } from './operator.js';
import type { Env } from './options.js';
import { registerSubcommand, runOnOrganization } from './subcommand.js';
import { parseUsersAddOptions, type UsersAddOptions } from './users-add.js';

/** The same options as `users add`: organization, email, role. */
export type UsersSetRoleOptions = UsersAddOptions;
export const parseUsersSetRoleOptions = parseUsersAddOptions;

export async function runUsersSetRole(options: UsersSetRoleOptions, deps: CommandDeps): Promise<number> {
  return runOnOrganization(options, deps, async (store, org) => {
    const { user, membership } = await requireMember(store, org, options.email);
    await store.setMembership({ organizationId: org.id, userId: user.id, role: options.role });
    const data = {
      organizationId: org.id,
      userId: user.id,
      email: user.email,
      role: options.role,
      previousRole: membership.role,
    };
    return { data, text: `✓ ${data.email} is now ${data.role} of "${org.name}" (was ${data.previousRole})\n` };
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
          .requiredOption('--role <role>', 'owner, admin or member'),
      parse: parseUsersSetRoleOptions,
      run: runUsersSetRole,
    },
    deps,
    env,
    done,
  );
}
