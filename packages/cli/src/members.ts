/** What the `codika organization members …` commands share: naming a member, and roles. */
import { ROLES, type Role } from '@codika/contract/operations';
import { ValidationError } from './errors.js';
import { checkEmail, checkId, type OptionSpec, type RawArgs, str } from './spec.js';

export const MEMBER_OPTIONS: readonly OptionSpec[] = [
  { flags: '--email <email>', description: "The member's e-mail address (or --user-id)" },
  { flags: '--user-id <id>', description: "The member's user id (or --email)" },
];

/** A member, named by e-mail or by user id (the request field of the same name). */
export type MemberRef = { email: string } | { userId: string };

/** `--email` or `--user-id`, exactly one. */
export function parseMemberRef(raw: RawArgs): MemberRef {
  const email = str(raw, 'email');
  const userId = str(raw, 'userId');
  if (email !== undefined && userId !== undefined) throw new ValidationError('Give --email or --user-id, not both.');
  if (email !== undefined) return { email: checkEmail(email, '--email') };
  if (userId !== undefined) return { userId: checkId(userId, '--user-id') };
  throw new ValidationError('Name the member with --email <email> or --user-id <id>.');
}

export function describeRef(ref: MemberRef): string {
  return 'email' in ref ? ref.email : `user ${ref.userId}`;
}

export function checkRole(value: string, flag: string): Role {
  if (!ROLES.includes(value as Role)) throw new ValidationError(`${flag} must be one of ${ROLES.join(', ')}, got "${value}".`);
  return value as Role;
}
