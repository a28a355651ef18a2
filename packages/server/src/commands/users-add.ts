/** `codika-server users add --organization-id <id> --email <email> --role owner|admin|member` */
import type { Command } from 'commander';
import { iso } from '../clock.js';
import { newId } from '../ids.js';
import type { Role } from '../store/types.js';
import { type CommandDeps, UsageError } from './command-deps.js';
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
    const user = await store.ensureUser({ id: newId(), email: options.email, createdAt: iso(deps.clock()) });
    const existing = await store.getMembership(org.id, user.id);
    if (existing) {
      throw new UsageError(`${user.email} is already ${existing.role} of "${org.name}"; use users set-role to change it`);
    }
    await store.setMembership({ organizationId: org.id, userId: user.id, role: options.role });
    const data = { organizationId: org.id, userId: user.id, email: user.email, role: options.role };
    return { data, text: `✓ ${data.email} added to "${org.name}" as ${data.role} (user ${data.userId})\n` };
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
