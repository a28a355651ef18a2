/**
 * `codika-server users add --organization-id <id> --email <email> --role owner|admin|member`
 *
 * Through the same store method as the API (audited alike). Keys the user still held in the
 * organization from an earlier membership are revoked, and the command says so.
 */
import type { Command } from 'commander';
import { iso } from '../clock.js';
import { newId } from '../ids.js';
import type { StoreOptions } from '../store/index.js';
import type { Role } from '../store/types.js';
import { type CommandDeps, EXIT_OK, guard, printJson, UsageError, withStore } from './context.js';
import { operatorAuditOrigin, requireOrganization } from './operator.js';
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
          return { org, outcome };
      }
    });
    const { org, outcome } = result;
    const data = {
      organizationId: org.id,
      userId: outcome.member.userId,
      email: outcome.member.email,
      role: outcome.member.role,
      revokedKeyIds: outcome.revokedKeyIds,
    };
    if (options.json) printJson(deps.io, data);
    else deps.io.out(`✓ ${data.email} added to "${org.name}" as ${data.role} (user ${data.userId})\n`);
    if (data.revokedKeyIds.length > 0) {
      deps.io.err(
        `! ${data.revokedKeyIds.length} live key(s) left from an earlier membership of ${data.email} were revoked: ${data.revokedKeyIds.join(', ')}\n`,
      );
    }
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
