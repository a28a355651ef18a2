/** `codika-server users add --organization-id <id> --email <email> --role owner|admin|member` */
import type { Command } from 'commander';
import { iso } from '../clock.js';
import { newId } from '../ids.js';
import type { StoreOptions } from '../store/index.js';
import type { Role } from '../store/types.js';
import { type CommandDeps, EXIT_OK, guard, printJson, UsageError, withStore } from './command-deps.js';
import { requireOrganization } from './operator.js';
import {
  addDatabaseOptions,
  type DatabaseFlags,
  type Env,
  parseEmail,
  parseRole,
  requireString,
  resolveDatabase,
} from './options.js';

export interface UsersAddOptions {
  database: StoreOptions;
  organizationId: string;
  email: string;
  role: Role;
  json: boolean;
}

export function parseUsersAddOptions(
  raw: DatabaseFlags & { organizationId?: unknown; email?: unknown; role?: unknown; json?: boolean },
  env: Env,
): UsersAddOptions {
  return {
    database: resolveDatabase(raw, env),
    organizationId: requireString(raw.organizationId, '--organization-id'),
    email: parseEmail(raw.email),
    role: parseRole(raw.role),
    json: raw.json === true,
  };
}

export async function runUsersAdd(options: UsersAddOptions, deps: CommandDeps): Promise<number> {
  return guard(deps.io, async () => {
    const result = await withStore(deps, options.database, async (store) => {
      const org = await requireOrganization(store, options.organizationId);
      const user = await store.ensureUser({ id: newId(), email: options.email, createdAt: iso(deps.clock()) });
      const existing = await store.getMembership(org.id, user.id);
      if (existing) {
        throw new UsageError(`${user.email} is already ${existing.role} of "${org.name}"; use users set-role to change it`);
      }
      await store.setMembership({ organizationId: org.id, userId: user.id, role: options.role });
      return { org, user };
    });
    const data = { organizationId: result.org.id, userId: result.user.id, email: result.user.email, role: options.role };
    if (options.json) printJson(deps.io, data);
    else deps.io.out(`✓ ${data.email} added to "${result.org.name}" as ${data.role} (user ${data.userId})\n`);
    return EXIT_OK;
  });
}

export function registerUsersAdd(users: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  addDatabaseOptions(users.command('add').description('add a user (created if new) to an organization with a role'))
    .requiredOption('--organization-id <id>', 'the organization')
    .requiredOption('--email <email>', "the user's email")
    .requiredOption('--role <role>', 'owner, admin or member')
    .option('--json', 'print the result as JSON')
    .action(async (raw) => {
      done(await guard(deps.io, async () => runUsersAdd(parseUsersAddOptions(raw, env), deps)));
    });
}
