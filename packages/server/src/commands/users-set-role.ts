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
import { type CommandDeps, EXIT_OK, guard, printJson, UsageError, withStore } from './context.js';
import { lastOwnerError, noOwnerWarning, operatorAuditOrigin, requireOrganization } from './operator.js';
import { addDatabaseOptions, type DatabaseFlags, type Env } from './options.js';
import { parseUsersAddOptions, type UsersAddOptions } from './users-add.js';

/** The options of `users add` (organization, email, role), and --force. */
export interface UsersSetRoleOptions extends UsersAddOptions {
  force: boolean;
}

export function parseUsersSetRoleOptions(
  raw: DatabaseFlags & { organizationId?: unknown; email?: unknown; role?: unknown; json?: boolean; force?: boolean },
  env: Env,
): UsersSetRoleOptions {
  return { ...parseUsersAddOptions(raw, env), force: raw.force === true };
}

export async function runUsersSetRole(options: UsersSetRoleOptions, deps: CommandDeps): Promise<number> {
  return guard(deps.io, async () => {
    const result = await withStore(deps, options.database, async (store) => {
      const org = await requireOrganization(store, options.organizationId);
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
          return { org, outcome };
      }
    });
    const { org, outcome } = result;
    const data = {
      organizationId: org.id,
      userId: outcome.member.userId,
      email: outcome.member.email,
      role: outcome.member.role,
      previousRole: outcome.previousRole,
      forced: outcome.forced,
    };
    if (options.json) printJson(deps.io, data);
    else deps.io.out(`✓ ${data.email} is now ${data.role} of "${org.name}" (was ${data.previousRole})\n`);
    if (outcome.forced) deps.io.err(noOwnerWarning(org));
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
    .option('--force', 'demote the last owner anyway, leaving the organization without an owner (repair only)')
    .option('--json', 'print the result as JSON')
    .action(async (raw) => {
      done(await guard(deps.io, async () => runUsersSetRole(parseUsersSetRoleOptions(raw, env), deps)));
    });
}
