/** `codika-server users remove --organization-id <id> --email <email>` */
import type { Command } from 'commander';
import type { CommandDeps } from './command-deps.js';
import { requireMember } from './operator.js';
import { type Env, type OrgFlags, type OrgOptions, parseEmail, parseOrgOptions } from './options.js';
import { registerSubcommand, runOnOrganization } from './subcommand.js';

export interface UsersRemoveOptions extends OrgOptions {
  email: string;
}

export function parseUsersRemoveOptions(raw: OrgFlags & { email?: unknown }, env: Env): UsersRemoveOptions {
  return { ...parseOrgOptions(raw, env), email: parseEmail(raw.email) };
}

export async function runUsersRemove(options: UsersRemoveOptions, deps: CommandDeps): Promise<number> {
  return runOnOrganization(options, deps, async (store, org) => {
    const { user, membership } = await requireMember(store, org, options.email);
    await store.removeMembership(org.id, user.id);
    const data = { organizationId: org.id, userId: user.id, email: user.email, previousRole: membership.role };
    return {
      data,
      text: `✓ ${data.email} removed from "${org.name}" (was ${data.previousRole}); keys they created stop authorizing key management\n`,
    };
  });
}

export function registerUsersRemove(users: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  registerSubcommand(
    users,
    {
      name: 'remove',
      description: 'remove a member from an organization',
      options: (command) =>
        command
          .requiredOption('--organization-id <id>', 'the organization')
          .requiredOption('--email <email>', "the member's email"),
      parse: parseUsersRemoveOptions,
      run: runUsersRemove,
    },
    deps,
    env,
    done,
  );
}
