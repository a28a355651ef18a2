/**
 * `codika organization members remove`: remove a member; the server revokes their keys in the
 * organization in the same transaction. On a terminal it asks first (unless --yes), saying how
 * many live keys will be revoked (from the member list).
 */
import type { RemoveMemberData } from '@codika/contract/schemas';
import { type ApiContext, type ApiFlags, resolveApiContext } from '../../../api-context.js';
import type { Deps } from '../../../deps.js';
import { CancelledError, ValidationError } from '../../../errors.js';
import { describeRef, MEMBER_OPTIONS, type MemberRef, parseMemberRef } from '../../../members.js';
import { colorsFor, line, writeJson } from '../../../output.js';
import { callOperation } from '../../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, type RawArgs } from '../../../spec.js';
import { listMembers } from './list.js';

export const spec: CommandSpec = {
  path: ['organization', 'members', 'remove'],
  summary: 'Remove a member from the organization; their API keys in it are revoked at once',
  options: [
    ...MEMBER_OPTIONS,
    { flags: '-y, --yes', description: 'Do not ask for confirmation (required when stdin is not a terminal)' },
    ...API_OPTIONS,
  ],
  notes: () => ['Only an owner may remove an owner; the organization keeps at least one owner; you cannot remove yourself.'],
  examples: [
    'codika organization members remove --email ada@example.com',
    'codika organization members remove --user-id 019d… --yes --json',
  ],
};

export interface RemoveMemberOptions {
  member: MemberRef;
  yes: boolean;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): RemoveMemberOptions {
  return { member: parseMemberRef(raw), yes: bool(raw, 'yes'), json: bool(raw, 'json'), api: apiFlags(raw) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Asks on the terminal, naming the member's role and how many live keys go with them. */
async function confirm(o: RemoveMemberOptions, deps: Deps): Promise<ApiContext> {
  if (!deps.io.stdinIsTTY) {
    throw new ValidationError('Refusing to remove a member without confirmation: stdin is not a terminal, pass --yes.');
  }
  const { ctx, envelope } = await listMembers(o, deps);
  const ref = o.member;
  const found = envelope.data.members.find((m) =>
    'email' in ref ? m.email.toLowerCase() === ref.email.toLowerCase() : m.userId === ref.userId,
  );
  const keys =
    found === undefined
      ? 'Their live API keys in it will be revoked at once.'
      : found.liveKeyCount === 0
        ? 'They hold no live API keys in it.'
        : `Their ${plural(found.liveKeyCount, 'live API key', 'live API keys')} in it will be revoked at once.`;
  const who = found === undefined ? describeRef(ref) : `${found.email} (${found.role})`;
  if (!(await deps.prompter.confirm(`Remove ${who} from the organization? ${keys} This cannot be undone.`))) {
    throw new CancelledError('Cancelled: the member was not removed.');
  }
  return ctx;
}

export async function run(o: RemoveMemberOptions, deps: Deps): Promise<number> {
  const ctx = o.yes ? await resolveApiContext(o.api, deps) : await confirm(o, deps);
  const envelope = await callOperation<RemoveMemberData>(deps, ctx, 'removeMember', o.member, 'Removing member…');
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const { email, userId, revokedKeyIds } = envelope.data;
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  line(out, `${c.green('✓')} Removed ${email} from the organization`);
  line(out, `  User ID: ${userId}`);
  line(out, `  Revoked keys: ${revokedKeyIds.length === 0 ? 'none' : `${revokedKeyIds.length} (${revokedKeyIds.join(', ')})`}`);
  return 0;
}
