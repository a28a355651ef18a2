/**
 * `codika organization list-keys`: the keys of an organization (where key ids come from) — the
 * live ones, or those unused for a while, expiring soon, revoked or expired, in an order.
 */
import { KEY_SORTS, KEY_STATES, type KeySort, type KeyState } from '@codika/contract/operations';
import type { KeySummary, ListKeysData } from '@codika/contract/schemas';
import { SCOPES } from '@codika/contract/scopes';
import { type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { parseDuration } from '../../durations.js';
import { ValidationError } from '../../errors.js';
import { line, writeJson, writeTable } from '../../output.js';
import { callOperation } from '../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, checkId, type RawArgs, str } from '../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'list-keys'],
  summary: 'List the API keys of an organization (ids, names, prefixes, scopes, state, expiry, allowlist, last use)',
  options: [
    { flags: '--organization-id <id>', description: 'Organization whose keys to list', default: "the calling key's" },
    { flags: '--state <state>', description: `Which keys: ${KEY_STATES.join(', ')}`, default: 'live' },
    {
      flags: '--unused-since <duration>',
      description: 'Only keys not used for this long (30d, 12h, 2w); never-used ones count from their creation',
    },
    { flags: '--expiring-within <duration>', description: 'Only keys that expire within this long (7d, 24h)' },
    { flags: '--sort <order>', description: `Order: ${KEY_SORTS.join(', ')} (last-used: stalest first)`, default: 'created' },
    ...API_OPTIONS,
  ],
  notes: () => [
    'On a terminal the keys are shown as a table; otherwise as tab-separated lines with a header, for scripts.\n' +
      'STATE is enabled or disabled, with "rotating" while a rotated key\'s old secret still works;\n' +
      'ALLOWED IPS is "anywhere" unless the key has an allowlist.',
    'Filters combine: --unused-since 30d --sort last-used lists the keys nobody used in 30 days, stalest first.',
  ],
  examples: [
    'codika organization list-keys',
    'codika organization list-keys --unused-since 30d --sort last-used',
    'codika organization list-keys --expiring-within 7d',
    'codika organization list-keys --state revoked --json',
  ],
};

export interface ListKeysOptions {
  organizationId?: string;
  state?: KeyState;
  /** Durations in milliseconds, resolved against the clock in run(). */
  unusedForMs?: number;
  expiringWithinMs?: number;
  sort?: KeySort;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): ListKeysOptions {
  const o: ListKeysOptions = { json: bool(raw, 'json'), api: apiFlags(raw) };
  const org = str(raw, 'organizationId');
  if (org !== undefined) o.organizationId = checkId(org, '--organization-id');
  const state = str(raw, 'state');
  if (state !== undefined) {
    if (!(KEY_STATES as readonly string[]).includes(state)) {
      throw new ValidationError(`--state must be one of ${KEY_STATES.join(', ')}, got "${state}".`);
    }
    o.state = state as KeyState;
  }
  const sort = str(raw, 'sort');
  if (sort !== undefined) {
    if (!(KEY_SORTS as readonly string[]).includes(sort)) {
      throw new ValidationError(`--sort must be one of ${KEY_SORTS.join(', ')}, got "${sort}".`);
    }
    o.sort = sort as KeySort;
  }
  const unused = str(raw, 'unusedSince');
  if (unused !== undefined) o.unusedForMs = parseDuration(unused, '--unused-since');
  const expiring = str(raw, 'expiringWithin');
  if (expiring !== undefined) o.expiringWithinMs = parseDuration(expiring, '--expiring-within');
  return o;
}

/** The list request: durations become times from now (the server compares times). */
function requestBody(o: ListKeysOptions, now: Date): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (o.organizationId !== undefined) body.organizationId = o.organizationId;
  if (o.state !== undefined) body.state = o.state;
  if (o.unusedForMs !== undefined) body.unusedSince = new Date(now.getTime() - o.unusedForMs).toISOString();
  if (o.expiringWithinMs !== undefined) body.expiresBefore = new Date(now.getTime() + o.expiringWithinMs).toISOString();
  if (o.sort !== undefined) body.sort = o.sort;
  return body;
}

/** The LAST USED cell: the time, and where from when known. */
function lastUsed(k: KeySummary): string {
  if (k.lastUsedAt === undefined) return 'never';
  return k.lastUsedIp === undefined ? k.lastUsedAt : `${k.lastUsedAt} (${k.lastUsedIp})`;
}

export async function run(o: ListKeysOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const body = requestBody(o, deps.clock.now());
  const envelope = await callOperation<ListKeysData>(deps, ctx, 'listKeys', body, 'Listing API keys…');
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const keys = envelope.data.keys ?? [];
  const out = deps.io.stdout;
  if (keys.length === 0) {
    line(out, Object.keys(body).some((k) => k !== 'organizationId') ? 'No API keys match.' : 'No API keys.');
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
    lastUsed(k),
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
