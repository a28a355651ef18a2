/**
 * `codika organization members add`: add a person by e-mail with a role. The server creates the
 * user when the address is new; they sign in with an e-mailed code (`codika auth login`).
 */
import { ROLES, type Role } from '@codika/contract/operations';
import type { MemberChangeData } from '@codika/contract/schemas';
import { type ApiFlags, resolveApiContext } from '../../../api-context.js';
import type { Deps } from '../../../deps.js';
import { ValidationError } from '../../../errors.js';
import { checkRole } from '../../../members.js';
import { colorsFor, line, writeJson } from '../../../output.js';
import { callOperation } from '../../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, checkEmail, type RawArgs, str } from '../../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'members', 'add'],
  summary: 'Add a person to the organization by e-mail, with a role',
  options: [
    { flags: '--email <email>', description: 'E-mail address of the person (required)' },
    { flags: '--role <role>', description: `Role: ${ROLES.join(', ')}`, default: 'member' },
    ...API_OPTIONS,
  ],
  notes: () => [
    'Only an owner may add an owner. The person signs in with `codika auth login --email <their address>`; adding creates no key.',
  ],
  examples: [
    'codika organization members add --email ada@example.com',
    'codika organization members add --email ada@example.com --role admin --json',
  ],
};

export interface AddMemberOptions {
  email: string;
  role: Role;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): AddMemberOptions {
  const email = str(raw, 'email');
  if (email === undefined) throw new ValidationError("Missing required option '--email <email>'.");
  const role = str(raw, 'role');
  return {
    email: checkEmail(email, '--email'),
    role: role === undefined ? 'member' : checkRole(role, '--role'),
    json: bool(raw, 'json'),
    api: apiFlags(raw),
  };
}

export async function run(o: AddMemberOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const envelope = await callOperation<MemberChangeData>(
    deps,
    ctx,
    'addMember',
    { email: o.email, role: o.role },
    'Adding member…',
  );
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const { member } = envelope.data;
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  line(out, `${c.green('✓')} Added ${member.email} as ${member.role}`);
  line(out, `  User ID: ${member.userId}`);
  line(out, `They sign in with: codika auth login --email ${member.email}`);
  return 0;
}
