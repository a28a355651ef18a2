/** `codika organization members set-role`: change a member's role (the organization keeps an owner). */
import { ROLES, type Role } from '@codika/contract/operations';
import type { MemberChangeData } from '@codika/contract/schemas';
import { type ApiFlags, resolveApiContext } from '../../../api-context.js';
import type { Deps } from '../../../deps.js';
import { ValidationError } from '../../../errors.js';
import { checkRole, MEMBER_OPTIONS, type MemberRef, parseMemberRef } from '../../../members.js';
import { colorsFor, line, writeJson } from '../../../output.js';
import { callOperation } from '../../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, type RawArgs, str } from '../../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'members', 'set-role'],
  summary: "Change a member's role",
  options: [
    ...MEMBER_OPTIONS,
    { flags: '--role <role>', description: `New role: ${ROLES.join(', ')} (required)` },
    ...API_OPTIONS,
  ],
  notes: () => [
    'Only an owner may change an owner or make one; the organization keeps at least one owner; you cannot change your own role.',
  ],
  examples: [
    'codika organization members set-role --email ada@example.com --role admin',
    'codika organization members set-role --user-id 019d… --role member --json',
  ],
};

export interface SetRoleOptions {
  member: MemberRef;
  role: Role;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): SetRoleOptions {
  const member = parseMemberRef(raw);
  const role = str(raw, 'role');
  if (role === undefined) throw new ValidationError("Missing required option '--role <role>'.");
  return { member, role: checkRole(role, '--role'), json: bool(raw, 'json'), api: apiFlags(raw) };
}

export async function run(o: SetRoleOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const envelope = await callOperation<MemberChangeData>(
    deps,
    ctx,
    'updateMember',
    { ...o.member, role: o.role },
    'Changing role…',
  );
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const { member, previousRole } = envelope.data;
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const change =
    previousRole !== undefined && previousRole !== member.role
      ? `${previousRole} → ${member.role}`
      : `${member.role}${previousRole === member.role ? ' (unchanged)' : ''}`;
  line(deps.io.stdout, `${c.green('✓')} ${member.email}: ${change}`);
  line(deps.io.stdout, `  User ID: ${member.userId}`);
  return 0;
}
