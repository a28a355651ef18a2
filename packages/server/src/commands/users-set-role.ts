/** `codika-server users set-role --organization-id <id> --email <email> --role owner|admin|member` */
import type { Command } from 'commander';
import { type CommandDeps, EXIT_OK, guard, printJson, withStore } from './command-deps.js';
import { requireMember, requireOrganization } from './operator.js';
import { addDatabaseOptions, type Env } from './options.js';
import { parseUsersAddOptions, type UsersAddOptions } from './users-add.js';

/** The same options as `users add`: organization, email, role. */
export type UsersSetRoleOptions = UsersAddOptions;
export const parseUsersSetRoleOptions = parseUsersAddOptions;

export async function runUsersSetRole(options: UsersSetRoleOptions, deps: CommandDeps): Promise<number> {
  return guard(deps.io, async () => {
    const result = await withStore(deps, options.database, async (store) => {
      const org = await requireOrganization(store, options.organizationId);
      const { user, membership } = await requireMember(store, org, options.email);
      await store.setMembership({ organizationId: org.id, userId: user.id, role: options.role });
      return { org, user, previousRole: membership.role };
    });
    const data = {
      organizationId: result.org.id,
      userId: result.user.id,
      email: result.user.email,
      role: options.role,
      previousRole: result.previousRole,
    };
    if (options.json) printJson(deps.io, data);
    else deps.io.out(`✓ ${data.email} is now ${data.role} of "${result.org.name}" (was ${data.previousRole})\n`);
    return EXIT_OK;
  });
}

export function registerUsersSetRole(users: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  addDatabaseOptions(
    users.command('set-role').description("change a member's role in an organization (takes effect on their keys at once)"),
  )
    .requiredOption('--organization-id <id>', 'the organization')
    .requiredOption('--email <email>', "the member's email")
    .requiredOption('--role <role>', 'owner, admin or member')
    .option('--json', 'print the result as JSON')
    .action(async (raw) => {
      done(await guard(deps.io, async () => runUsersSetRole(parseUsersSetRoleOptions(raw, env), deps)));
    });
}
