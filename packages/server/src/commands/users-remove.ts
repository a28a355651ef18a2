/** `codika-server users remove --organization-id <id> --email <email>` */
import type { Command } from 'commander';
import type { StoreOptions } from '../store/index.js';
import { type CommandDeps, EXIT_OK, guard, printJson, withStore } from './command-deps.js';
import { requireMember, requireOrganization } from './operator.js';
import { addDatabaseOptions, type DatabaseFlags, type Env, parseEmail, requireString, resolveDatabase } from './options.js';

export interface UsersRemoveOptions {
  database: StoreOptions;
  organizationId: string;
  email: string;
  json: boolean;
}

export function parseUsersRemoveOptions(
  raw: DatabaseFlags & { organizationId?: unknown; email?: unknown; json?: boolean },
  env: Env,
): UsersRemoveOptions {
  return {
    database: resolveDatabase(raw, env),
    organizationId: requireString(raw.organizationId, '--organization-id'),
    email: parseEmail(raw.email),
    json: raw.json === true,
  };
}

export async function runUsersRemove(options: UsersRemoveOptions, deps: CommandDeps): Promise<number> {
  return guard(deps.io, async () => {
    const result = await withStore(deps, options.database, async (store) => {
      const org = await requireOrganization(store, options.organizationId);
      const { user, membership } = await requireMember(store, org, options.email);
      await store.removeMembership(org.id, user.id);
      return { org, user, previousRole: membership.role };
    });
    const data = {
      organizationId: result.org.id,
      userId: result.user.id,
      email: result.user.email,
      previousRole: result.previousRole,
    };
    if (options.json) printJson(deps.io, data);
    else
      deps.io.out(
        `✓ ${data.email} removed from "${result.org.name}" (was ${data.previousRole}); keys they created stop authorizing key management\n`,
      );
    return EXIT_OK;
  });
}

export function registerUsersRemove(users: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  addDatabaseOptions(users.command('remove').description('remove a member from an organization'))
    .requiredOption('--organization-id <id>', 'the organization')
    .requiredOption('--email <email>', "the member's email")
    .option('--json', 'print the result as JSON')
    .action(async (raw) => {
      done(await guard(deps.io, async () => runUsersRemove(parseUsersRemoveOptions(raw, env), deps)));
    });
}
