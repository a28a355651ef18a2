/**
 * `codika organization update-key`: the public Codika CLI's command, with its options, output and
 * exit codes, plus `--add-scopes`, `--remove-scopes`, `--dry-run` and `--force`
 * (docs/cli/organization-update-key.md).
 */
import { keyUpdateProblem } from '@codika/contract/rules';
import type { UpdateKeyData, VerifyApiKeyData } from '@codika/contract/schemas';
import { SCOPE_DESCRIPTIONS, SCOPES, splitScopeList } from '@codika/contract/scopes';
import { type ApiContext, type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import { colorsFor, formatScopes, line, writeJson } from '../../output.js';
import { callOperation } from '../../request.js';
import {
  API_OPTIONS,
  apiFlags,
  bool,
  type CommandSpec,
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
    { flags: '--force', description: 'Allow removing api-keys:manage from the key making the call' },
    ...API_OPTIONS,
  ],
  notes: () => [
    'At least one of --scopes, --name, or --description must be provided.\n' +
      'When --scopes is provided, it replaces the existing scopes entirely.\n' +
      '--add-scopes / --remove-scopes change the scope set instead; they count as a field to update.',
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
  ],
};

export interface UpdateKeyOptions {
  keyId: string;
  scopes?: string[];
  addScopes?: string[];
  removeScopes?: string[];
  name?: string;
  description?: string;
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
  switch (keyUpdateProblem({ scopes, addScopes, removeScopes, name, description })) {
    case 'SCOPES_COMBINED':
      throw new ValidationError(
        '--scopes replaces the whole scope set and cannot be combined with --add-scopes or --remove-scopes.',
      );
    case 'NO_FIELDS':
      throw new ValidationError(
        'Nothing to update: at least one of --scopes, --name, or --description must be provided (or --add-scopes / --remove-scopes).',
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
  return options;
}

export function requestBody(o: UpdateKeyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { keyId: o.keyId };
  if (o.scopes !== undefined) body.scopes = o.scopes;
  if (o.addScopes !== undefined) body.addScopes = o.addScopes;
  if (o.removeScopes !== undefined) body.removeScopes = o.removeScopes;
  if (o.name !== undefined) body.name = o.name;
  if (o.description !== undefined) body.description = o.description;
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
    const title = dry ? 'Would change:' : 'Changes:';
    if (changes.length > 0) lines.push(title, ...changes);
    else lines.push(`${title} none (the key already has these values)`);
  } else if (dry) {
    lines.push('(the server did not report the current values; the lines above are the would-be result)');
  }
  return lines;
}

export async function run(o: UpdateKeyOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const envelope = await callOperation<UpdateKeyData>(
    deps,
    ctx,
    'updateKey',
    requestBody(o),
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
