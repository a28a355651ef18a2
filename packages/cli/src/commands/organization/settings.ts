/**
 * `codika organization settings`: show the organization's settings — the maximum key lifetime —
 * and the live keys that break it; with `--max-key-lifetime-days N` or `--no-max-key-lifetime`,
 * change it (owners only). A tightened maximum cuts no key: the keys that break it are listed
 * (docs/cli/organization-settings.md).
 */
import { MAX_KEY_LIFETIME_DAYS_MAX } from '@codika/contract/rules';
import type { SettingsData, UpdateSettingsData } from '@codika/contract/schemas';
import { type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import { colorsFor, line, writeJson, writeTable } from '../../output.js';
import { callOperation } from '../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, type RawArgs, str } from '../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'settings'],
  summary: "Show or change the organization's settings (the maximum key lifetime)",
  options: [
    {
      flags: '--max-key-lifetime-days <days>',
      description: `No key may be made to live longer than this many days (1–${MAX_KEY_LIFETIME_DAYS_MAX}; owners)`,
    },
    { flags: '--no-max-key-lifetime', description: 'Remove the maximum key lifetime (owners)' },
    ...API_OPTIONS,
  ],
  notes: () => [
    'Without an option the settings are shown. The maximum applies to expiries set from then on:\n' +
      'create-key and rotate-key without an expiry give the key the maximum; a longer one, or\n' +
      'update-key --no-expiry, is refused (KEY_LIFETIME_EXCEEDED). Live keys that break a tightened\n' +
      'maximum keep working and are listed, so you can rotate or update them.',
  ],
  examples: [
    'codika organization settings',
    'codika organization settings --max-key-lifetime-days 90',
    'codika organization settings --no-max-key-lifetime --json',
  ],
};

export interface SettingsOptions {
  /** undefined: show; a number: set it; null: remove it. */
  maxKeyLifetimeDays?: number | null;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): SettingsOptions {
  const o: SettingsOptions = { json: bool(raw, 'json'), api: apiFlags(raw) };
  const days = str(raw, 'maxKeyLifetimeDays');
  // commander: `--no-max-key-lifetime` alone makes `maxKeyLifetime` true by default, false when given.
  const clear = raw.opts.maxKeyLifetime === false;
  if (days !== undefined && clear) {
    throw new ValidationError('Give --max-key-lifetime-days or --no-max-key-lifetime, not both.');
  }
  if (days !== undefined) {
    const n = Number(days);
    if (!/^\d+$/.test(days.trim()) || n < 1 || n > MAX_KEY_LIFETIME_DAYS_MAX) {
      throw new ValidationError(
        `--max-key-lifetime-days must be a whole number from 1 to ${MAX_KEY_LIFETIME_DAYS_MAX}, got "${days}".`,
      );
    }
    o.maxKeyLifetimeDays = n;
  }
  if (clear) o.maxKeyLifetimeDays = null;
  return o;
}

export async function run(o: SettingsOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const change = o.maxKeyLifetimeDays !== undefined;
  const envelope = change
    ? await callOperation<UpdateSettingsData>(
        deps,
        ctx,
        'updateSettings',
        { maxKeyLifetimeDays: o.maxKeyLifetimeDays },
        'Changing settings…',
      )
    : await callOperation<SettingsData>(deps, ctx, 'getSettings', {}, 'Reading settings…');
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const data: SettingsData & Partial<Pick<UpdateSettingsData, 'previous'>> = envelope.data;
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  const days = (n: number | null) => (n === null ? 'none' : `${n} day${n === 1 ? '' : 's'}`);
  if (change) line(out, `${c.green('✓')} Settings updated`);
  line(out, `Organization: ${data.organizationId}`);
  line(
    out,
    `Maximum key lifetime: ${days(data.maxKeyLifetimeDays)}${
      data.previous !== undefined && data.previous.maxKeyLifetimeDays !== data.maxKeyLifetimeDays
        ? ` (was ${days(data.previous.maxKeyLifetimeDays)})`
        : ''
    }`,
  );
  const breaking = data.keysExceedingPolicy;
  if (breaking.length > 0) {
    line(out, '');
    line(
      out,
      `${breaking.length} live key${breaking.length === 1 ? '' : 's'} break${breaking.length === 1 ? 's' : ''} it (still working; rotate or update them):`,
    );
    await writeTable(
      deps,
      ['KEY ID', 'NAME', 'PREFIX', 'EXPIRES'],
      breaking.map((k) => [k.keyId, k.name, `${k.keyPrefix}…`, k.expiresAt ?? 'never']),
    );
  }
  return 0;
}
