/** `codika organization list-keys`: the live keys of an organization (where key ids come from). */
import type { ListKeysData } from '@codika/contract/schemas';
import { SCOPES } from '@codika/contract/scopes';
import { type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { line, writeJson, writeTable } from '../../output.js';
import { callOperation } from '../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, checkId, type RawArgs, str } from '../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'list-keys'],
  summary: 'List the live API keys of an organization (ids, names, prefixes, scopes, state, expiry, allowlist, last use)',
  options: [
    { flags: '--organization-id <id>', description: 'Organization whose keys to list', default: "the calling key's" },
    ...API_OPTIONS,
  ],
  notes: () => [
    'On a terminal the keys are shown as a table; otherwise as tab-separated lines with a header, for scripts.\n' +
      'STATE is enabled or disabled, with "rotating" while a rotated key\'s old secret still works;\n' +
      'ALLOWED IPS is "anywhere" unless the key has an allowlist.',
  ],
  examples: ['codika organization list-keys', 'codika organization list-keys --json'],
};

export interface ListKeysOptions {
  organizationId?: string;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): ListKeysOptions {
  const o: ListKeysOptions = { json: bool(raw, 'json'), api: apiFlags(raw) };
  const org = str(raw, 'organizationId');
  if (org !== undefined) o.organizationId = checkId(org, '--organization-id');
  return o;
}

export async function run(o: ListKeysOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const body: Record<string, unknown> = {};
  if (o.organizationId !== undefined) body.organizationId = o.organizationId;
  const envelope = await callOperation<ListKeysData>(deps, ctx, 'listKeys', body, 'Listing API keys…');
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const keys = envelope.data.keys ?? [];
  const out = deps.io.stdout;
  if (keys.length === 0) {
    line(out, 'No API keys.');
    return 0;
  }
  const header = ['KEY ID', 'NAME', 'PREFIX', 'SCOPES', 'STATE', 'EXPIRES', 'ALLOWED IPS', 'LAST USED'];
  // Piped, the prefix is the prefix (a script compares it with a key's first characters); on a
  // terminal "…" shows it is the start of a key, and a key holding every scope would make the
  // table wrap: say so instead.
  const rows = keys.map((k) => [
    k.keyId,
    k.name,
    k.keyPrefix,
    k.scopes.join(','),
    [k.enabled === false ? 'disabled' : 'enabled', ...(k.previousSecretExpiresAt ? ['rotating'] : [])].join(', '),
    k.expiresAt ?? 'never',
    k.allowedIps?.join(',') ?? 'anywhere',
    k.lastUsedAt ?? 'never',
  ]);
  const terminalRows = rows.map((r, i) => [
    r[0]!,
    r[1]!,
    `${r[2]}…`,
    new Set(keys[i]!.scopes).size === SCOPES.length ? `all ${SCOPES.length} scopes` : r[3]!,
    ...r.slice(4),
  ]);
  await writeTable(deps, header, rows, terminalRows);
  return 0;
}
