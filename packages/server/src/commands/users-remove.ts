/**
 * `codika-server users remove --organization-id <id> --email <email> [--force]`
 *
 * Through the same store method as the API: the membership goes and every live key the user
 * made in that organization is revoked in the same transaction (an audit row each), so those
 * keys answer 401 at once and stay revoked if the user is added back. The command says how
 * many keys it revoked. The last owner is refused unless `--force` (repair only).
 */
import type { Command } from 'commander';
import { iso } from '../clock.js';
import { type CommandDeps, UsageError } from './command-deps.js';
import { lastOwnerError, noOwnerWarning, operatorAuditOrigin } from './operator.js';
import { type Env, type OrgFlags, type OrgOptions, parseEmail, parseOrgOptions } from './options.js';
import { registerSubcommand, runOnOrganization } from './subcommand.js';

export interface UsersRemoveOptions extends OrgOptions {
  email: string;
  force: boolean;
}

export function parseUsersRemoveOptions(raw: OrgFlags & { email?: unknown; force?: boolean }, env: Env): UsersRemoveOptions {
  return { ...parseOrgOptions(raw, env), email: parseEmail(raw.email), force: raw.force === true };
}

function keysRevoked(count: number, organizationName: string): string {
  if (count === 0) return 'they had no live keys there';
  return `${count} live key${count === 1 ? '' : 's'} they created in "${organizationName}" revoked (they answer 401 from now on)`;
}

export async function runUsersRemove(options: UsersRemoveOptions, deps: CommandDeps): Promise<number> {
  return runOnOrganization(options, deps, async (store, org) => {
    const outcome = await store.removeMember({
      organizationId: org.id,
      member: { email: options.email },
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
        if (outcome.code === 'LAST_OWNER') throw lastOwnerError(options.email, org, 'remove');
        throw new UsageError(`refused: ${outcome.code}`);
      case 'removed':
        break;
    }
    const data = {
      organizationId: org.id,
      userId: outcome.member.userId,
      email: outcome.member.email,
      previousRole: outcome.member.role,
      revokedKeyIds: outcome.revokedKeyIds,
      forced: outcome.forced,
    };
    return {
      data,
      text: `✓ ${data.email} removed from "${org.name}" (was ${data.previousRole}); ${keysRevoked(data.revokedKeyIds.length, org.name)}\n`,
      ...(outcome.forced ? { warning: noOwnerWarning(org) } : {}),
    };
  });
}

export function registerUsersRemove(users: Command, deps: CommandDeps, env: Env, done: (code: number) => void): void {
  registerSubcommand(
    users,
    {
      name: 'remove',
      description: 'remove a member from an organization and revoke the keys they created there',
      options: (command) =>
        command
          .requiredOption('--organization-id <id>', 'the organization')
          .requiredOption('--email <email>', "the member's email")
          .option('--force', 'remove the last owner anyway, leaving the organization without an owner (repair only)'),
      parse: parseUsersRemoveOptions,
      run: runUsersRemove,
    },
    deps,
    env,
    done,
  );
}
