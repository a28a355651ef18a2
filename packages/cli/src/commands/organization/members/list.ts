/** `codika organization members list`: the people of the calling key's organization, their roles and keys. */
import type { ListMembersData } from '@codika/contract/schemas';
import { type ApiFlags, resolveApiContext } from '../../../api-context.js';
import type { Deps } from '../../../deps.js';
import { line, writeJson, writeTable } from '../../../output.js';
import { callOperation } from '../../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, type RawArgs } from '../../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'members', 'list'],
  summary: 'List the members of the organization: e-mail, role, live keys, when they joined and last signed in',
  options: API_OPTIONS,
  notes: () => ['On a terminal the members are shown as a table; otherwise as tab-separated lines with a header, for scripts.'],
  examples: ['codika organization members list', 'codika organization members list --json'],
};

export interface ListMembersOptions {
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): ListMembersOptions {
  return { json: bool(raw, 'json'), api: apiFlags(raw) };
}

/** The member list, as `remove` also asks for it before confirming. */
export async function listMembers(o: { api: ApiFlags }, deps: Deps, progressMessage?: string) {
  const ctx = await resolveApiContext(o.api, deps);
  const envelope = await callOperation<ListMembersData>(deps, ctx, 'listMembers', {}, progressMessage);
  return { ctx, envelope };
}

export async function run(o: ListMembersOptions, deps: Deps): Promise<number> {
  const { envelope } = await listMembers(o, deps, 'Listing members…');
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const members = envelope.data.members;
  if (members.length === 0) {
    line(deps.io.stdout, 'No members.');
    return 0;
  }
  const header = ['EMAIL', 'ROLE', 'KEYS', 'JOINED', 'LAST SIGN-IN', 'USER ID'];
  const rows = members.map((m) => [m.email, m.role, String(m.liveKeyCount), m.joinedAt, m.lastSignInAt ?? 'never', m.userId]);
  await writeTable(deps, header, rows);
  return 0;
}
