/**
 * `codika organization update-key`: the public Codika CLI's command, with its options, output and
 * exit codes, plus `--add-scopes`, `--remove-scopes`, `--dry-run` and `--force`, and the key's
 * lifecycle: `--expires-in-days` / `--expires-at` / `--no-expiry`, `--disable` / `--enable`,
 * `--allowed-ips` / `--clear-allowed-ips` (docs/cli/organization-update-key.md).
 */
import { keyUpdateProblem } from '@codika/contract/rules';
import type { UpdateKeyData, VerifyApiKeyData } from '@codika/contract/schemas';
import { SCOPE_DESCRIPTIONS, SCOPES, splitScopeList } from '@codika/contract/scopes';
import { type ApiContext, type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import { checkAllowedIps, checkExpiresAt } from '../../lifecycle.js';
import { colorsFor, formatScopes, line, writeJson } from '../../output.js';
import { callOperation } from '../../request.js';
import {
  API_OPTIONS,
  apiFlags,
  bool,
  type CommandSpec,
  checkDays,
  checkDescription,
  checkName,
  type RawArgs,
  renderTable,
  str,
} from '../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'update-key'],
  summary: 'Update the scopes, name or description of an organization API key',
  options: [
    { flags: '--key-id <id>', description: 'Key ID to update (required)' },
    { flags: '--scopes <scopes>', description: 'New comma-separated scopes (replaces existing)' },
    { flags: '--name <name>', description: 'New key name' },
    { flags: '--description <desc>', description: 'New key description' },
    { flags: '--add-scopes <scopes>', description: 'Comma-separated scopes to add (not with --scopes)' },
    { flags: '--remove-scopes <scopes>', description: 'Comma-separated scopes to remove (not with --scopes)' },
    { flags: '--dry-run', description: 'Show what would change without changing anything' },
    { flags: '--expires-in-days <days>', description: 'Expire the key this many days from now (1–365)' },
    { flags: '--expires-at <time>', description: 'Expire the key at this ISO 8601 time (e.g. 2026-06-30T00:00:00Z)' },
    { flags: '--no-expiry', description: 'The key never expires (unless the organization sets a maximum lifetime)' },
    { flags: '--disable', description: 'Disable the key: it authenticates nowhere until enabled' },
    { flags: '--enable', description: 'Enable a disabled key' },
    {
      flags: '--allowed-ips <cidrs>',
      description: 'Comma-separated IPv4/IPv6 addresses or CIDR ranges the key may be used from (at most 50)',
    },
    { flags: '--clear-allowed-ips', description: 'Remove the IP allowlist (usable from anywhere)' },
    {
      flags: '--force',
      description:
        'Allow locking out the key making the call (removing its api-keys:manage, disabling it, or an allowlist without your address)',
    },
    ...API_OPTIONS,
  ],
  notes: () => [
    'At least one of --scopes, --name, or --description must be provided.\n' +
      'When --scopes is provided, it replaces the existing scopes entirely.\n' +
      '--add-scopes / --remove-scopes change the scope set instead; they count as a field to update.\n' +
      'So do the lifecycle options: one of --expires-in-days, --expires-at, --no-expiry; --disable or --enable;\n' +
      '--allowed-ips or --clear-allowed-ips. A disabled key, or a request from outside its allowlist, is\n' +
      'answered 401 like any bad key. Rotate a key with: codika organization rotate-key.',
    ['Available scopes:', ...renderTable(SCOPES.map((s) => [s, SCOPE_DESCRIPTIONS[s]]))].join('\n'),
  ],
  examples: [
    '# Update scopes',
    'codika organization update-key --key-id abc123 --scopes deploy:use-case,instances:read,projects:read',
    '# Rename a key',
    'codika organization update-key --key-id abc123 --name "Production Deploy Key"',
    '# Update description',
    'codika organization update-key --key-id abc123 --description "Used by CI/CD pipeline"',
    '# Multiple fields at once',
    'codika organization update-key --key-id abc123 --name "Full Access" --scopes deploy:use-case,instances:read,instances:manage',
    '# JSON output',
    'codika organization update-key --key-id abc123 --scopes deploy:use-case --json',
    '# Expire in 90 days, pin to the office and the CI network',
    'codika organization update-key --key-id abc123 --expires-in-days 90 --allowed-ips 203.0.113.0/24,2001:db8::/32',
    '# Switch a key off for a while, then back on',
    'codika organization update-key --key-id abc123 --disable',
    'codika organization update-key --key-id abc123 --enable',
  ],
};

export interface UpdateKeyOptions {
  keyId: string;
  scopes?: string[];
  addScopes?: string[];
  removeScopes?: string[];
  name?: string;
  description?: string;
  /** Days from now (resolved against the clock when the request is made), an ISO time, or null (never). */
  expiresInDays?: number;
  expiresAt?: string | null;
  enabled?: boolean;
  /** Canonical-looking entries as given; null removes the allowlist. */
  allowedIps?: string[] | null;
  dryRun: boolean;
  force: boolean;
  json: boolean;
  api: ApiFlags;
}

function scopeList(value: string, flag: string): string[] {
  const list = splitScopeList(value);
  if (list.length === 0) {
    throw new ValidationError(`${flag} is empty: give at least one scope, comma-separated (e.g. ${flag} projects:read).`);
  }
  return list;
}

export function parse(raw: RawArgs): UpdateKeyOptions {
  const keyId = str(raw, 'keyId');
  if (keyId === undefined) throw new ValidationError("Missing required option '--key-id <id>'.");
  if (keyId.trim() === '') throw new ValidationError('--key-id must not be empty.');
  const scopes = str(raw, 'scopes');
  const addScopes = str(raw, 'addScopes');
  const removeScopes = str(raw, 'removeScopes');
  const name = str(raw, 'name');
  const description = str(raw, 'description');
  // commander: `--no-expiry` alone makes `expiry` true by default and false when given.
  const expiryChoices = [str(raw, 'expiresInDays'), str(raw, 'expiresAt'), raw.opts.expiry === false ? true : undefined];
  if (expiryChoices.filter((v) => v !== undefined).length > 1) {
    throw new ValidationError('Give at most one of --expires-in-days, --expires-at and --no-expiry.');
  }
  if (bool(raw, 'disable') && bool(raw, 'enable')) throw new ValidationError('Give --disable or --enable, not both.');
  const allowedIps = str(raw, 'allowedIps');
  if (allowedIps !== undefined && bool(raw, 'clearAllowedIps')) {
    throw new ValidationError('Give --allowed-ips or --clear-allowed-ips, not both.');
  }
  const lifecycle = {
    expiresAt: expiryChoices.find((v) => v !== undefined),
    enabled: bool(raw, 'disable') || bool(raw, 'enable') ? true : undefined,
    allowedIps: allowedIps !== undefined || bool(raw, 'clearAllowedIps') ? true : undefined,
  };
  switch (keyUpdateProblem({ scopes, addScopes, removeScopes, name, description, ...lifecycle })) {
    case 'SCOPES_COMBINED':
      throw new ValidationError(
        '--scopes replaces the whole scope set and cannot be combined with --add-scopes or --remove-scopes.',
      );
    case 'NO_FIELDS':
      throw new ValidationError(
        'Nothing to update: at least one of --scopes, --name, or --description must be provided (or --add-scopes / --remove-scopes, or a lifecycle option such as --expires-in-days, --disable, --allowed-ips).',
      );
  }
  const options: UpdateKeyOptions = {
    keyId: keyId.trim(),
    dryRun: bool(raw, 'dryRun'),
    force: bool(raw, 'force'),
    json: bool(raw, 'json'),
    api: apiFlags(raw),
  };
  if (scopes !== undefined) options.scopes = scopeList(scopes, '--scopes');
  if (addScopes !== undefined) options.addScopes = scopeList(addScopes, '--add-scopes');
  if (removeScopes !== undefined) options.removeScopes = scopeList(removeScopes, '--remove-scopes');
  if (name !== undefined) options.name = checkName(name, '--name');
  if (description !== undefined) options.description = checkDescription(description, '--description');
  const days = str(raw, 'expiresInDays');
  if (days !== undefined) options.expiresInDays = checkDays(days, '--expires-in-days');
  const at = str(raw, 'expiresAt');
  if (at !== undefined) options.expiresAt = checkExpiresAt(at, '--expires-at');
  if (raw.opts.expiry === false) options.expiresAt = null;
  if (bool(raw, 'disable')) options.enabled = false;
  if (bool(raw, 'enable')) options.enabled = true;
  if (allowedIps !== undefined) options.allowedIps = checkAllowedIps(allowedIps, '--allowed-ips');
  if (bool(raw, 'clearAllowedIps')) options.allowedIps = null;
  return options;
}

/** The request body; `now` resolves --expires-in-days into an expiry. */
export function requestBody(o: UpdateKeyOptions, now: Date = new Date()): Record<string, unknown> {
  const body: Record<string, unknown> = { keyId: o.keyId };
  if (o.scopes !== undefined) body.scopes = o.scopes;
  if (o.addScopes !== undefined) body.addScopes = o.addScopes;
  if (o.removeScopes !== undefined) body.removeScopes = o.removeScopes;
  if (o.name !== undefined) body.name = o.name;
  if (o.description !== undefined) body.description = o.description;
  if (o.expiresInDays !== undefined) body.expiresAt = new Date(now.getTime() + o.expiresInDays * 86_400_000).toISOString();
  if (o.expiresAt !== undefined) body.expiresAt = o.expiresAt;
  if (o.enabled !== undefined) body.enabled = o.enabled;
  if (o.allowedIps !== undefined) body.allowedIps = o.allowedIps;
  if (o.dryRun) body.dryRun = true;
  if (o.force) body.force = true;
  return body;
}

const quote = (s: string) => (s === '' ? '(none)' : `"${s}"`);

/** The human lines: the public CLI's four first and intact, then what changed when the server says. */
export async function renderHuman(data: UpdateKeyData, o: UpdateKeyOptions, deps: Deps): Promise<string[]> {
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const dry = o.dryRun || data.dryRun === true;
  const lines = [
    dry ? `${c.yellow('Dry run:')} no changes made` : `${c.green('✓')} API key updated`,
    `Key ID: ${data.keyId}`,
    `Name: ${data.name}`,
    `Scopes: ${formatScopes(data.scopes)}`,
  ];
  if (o.description !== undefined && !data.previous)
    lines.push(`Description: ${data.description === '' ? '(none)' : data.description}`);
  const prev = data.previous;
  if (prev) {
    const changes: string[] = [];
    const before = new Set(prev.scopes);
    const after = new Set(data.scopes);
    for (const s of data.scopes) if (!before.has(s)) changes.push(`  ${c.green(`+ ${s}`)}`);
    for (const s of prev.scopes) if (!after.has(s)) changes.push(`  ${c.red(`- ${s}`)}`);
    if (prev.name !== data.name) changes.push(`  Name: ${prev.name} → ${data.name}`);
    if (prev.description !== data.description)
      changes.push(`  Description: ${quote(prev.description)} → ${quote(data.description)}`);
    changes.push(...lifecycleChanges(prev, data));
    const title = dry ? 'Would change:' : 'Changes:';
    if (changes.length > 0) lines.push(title, ...changes);
    else lines.push(`${title} none (the key already has these values)`);
  } else if (dry) {
    lines.push('(the server did not report the current values; the lines above are the would-be result)');
  }
  return lines;
}

const expiry = (at: string | undefined) => at ?? 'never';
const state = (enabled: false | undefined) => (enabled === false ? 'disabled' : 'enabled');
const ips = (list: readonly string[] | undefined) => (list === undefined ? 'anywhere' : list.join(', '));

/** The lifecycle fields that differ between `previous` and the answer (absent = the default: never expires, enabled, anywhere). */
export function lifecycleChanges(
  prev: Pick<UpdateKeyData, 'expiresAt' | 'enabled' | 'allowedIps'>,
  data: Pick<UpdateKeyData, 'expiresAt' | 'enabled' | 'allowedIps'>,
): string[] {
  const out: string[] = [];
  if (prev.expiresAt !== data.expiresAt) out.push(`  Expires: ${expiry(prev.expiresAt)} → ${expiry(data.expiresAt)}`);
  if (prev.enabled !== data.enabled) out.push(`  State: ${state(prev.enabled)} → ${state(data.enabled)}`);
  if (ips(prev.allowedIps) !== ips(data.allowedIps)) out.push(`  Allowed IPs: ${ips(prev.allowedIps)} → ${ips(data.allowedIps)}`);
  return out;
}

export async function run(o: UpdateKeyOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const envelope = await callOperation<UpdateKeyData>(
    deps,
    ctx,
    'updateKey',
    requestBody(o, deps.clock.now()),
    o.dryRun ? 'Checking API key update…' : 'Updating API key…',
  );
  if (!o.dryRun && envelope.data.dryRun !== true) await followInProfile(envelope.data, ctx, deps);
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  for (const l of await renderHuman(envelope.data, o, deps)) line(deps.io.stdout, l);
  return 0;
}

/**
 * When the updated key is the one the profile in use holds, the profile's saved name and scopes
 * follow (whoami's offline view and `codika use` show them). A profile records no key id (the
 * public CLI's format), so only an update of a key that had the profile's key name is checked,
 * with one verify call: other updates cost nothing more. A failure here never fails the update.
 */
async function followInProfile(data: UpdateKeyData, ctx: ApiContext, deps: Deps): Promise<void> {
  const profile = ctx.profile;
  if (ctx.profileName === undefined || profile === undefined) return;
  const nameBefore = data.previous?.name ?? data.name;
  if (profile.keyName !== nameBefore && profile.keyName !== data.name) return;
  try {
    const me = await callOperation<VerifyApiKeyData>(deps, ctx, 'verifyApiKey', {});
    if (me.data.keyId !== data.keyId) return;
    const config = await deps.config.read();
    const saved = config.profiles[ctx.profileName];
    if (saved === undefined || saved.apiKey !== ctx.apiKey) return;
    saved.keyName = data.name;
    saved.scopes = [...data.scopes];
    await deps.config.write(config);
  } catch {
    // The update is done; a stale profile only shows stale details until the next login.
  }
}
