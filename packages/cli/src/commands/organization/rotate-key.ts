/**
 * `codika organization rotate-key`: a new secret for the same key (same id, name, scopes,
 * allowlist); the raw key is printed once. The old secret keeps working for the grace period
 * (`--grace`, default 24h; `0` ends it at once, e.g. after a leak). Every saved profile that
 * held the rotated key — same server, same organization, the key's prefix before the rotation —
 * gets the new secret, so the CLI keeps working once the old one ends
 * (docs/cli/organization-rotate-key.md).
 */
import { OPERATIONS } from '@codika/contract/operations';
import { EXPIRES_IN_DAYS_MAX } from '@codika/contract/rules';
import type { KeySummary, RotateKeyData } from '@codika/contract/schemas';
import { type ApiFlags, endpointUrl, joinUrl, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import { checkGrace } from '../../lifecycle.js';
import { colorsFor, formatScopes, line, writeJson } from '../../output.js';
import { callOperation, request } from '../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, checkDays, type RawArgs, str } from '../../spec.js';

export const DEFAULT_GRACE = '24h';

export const spec: CommandSpec = {
  path: ['organization', 'rotate-key'],
  summary: 'Rotate an organization API key: a new secret for the same key; the old one works for a grace period',
  options: [
    { flags: '--key-id <id>', description: 'Key ID to rotate (required)' },
    {
      flags: '--grace <duration>',
      description: 'How long the old secret keeps working: 0, 90s, 30m, 24h, 7d (at most 7d; never past the key’s expiry)',
      default: DEFAULT_GRACE,
    },
    {
      flags: '--expires-in-days <days>',
      description: `Give the key a new expiry, this many days from now (1–${EXPIRES_IN_DAYS_MAX})`,
      default: "the key's own",
    },
    ...API_OPTIONS,
  ],
  notes: () => [
    'The new raw key is printed once. Saved profiles that held the rotated key are updated with it.\n' +
      'After a leak, rotate with --grace 0: the old secret stops working at once.\n' +
      '/verifyapikey (codika whoami) says when a key is presented with its old secret during the grace period.',
  ],
  examples: [
    'codika organization rotate-key --key-id abc123',
    '# The old secret stops working at once',
    'codika organization rotate-key --key-id abc123 --grace 0',
    'codika organization rotate-key --key-id abc123 --grace 7d --expires-in-days 90 --json',
  ],
};

export interface RotateKeyOptions {
  keyId: string;
  graceSeconds: number;
  expiresInDays?: number;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): RotateKeyOptions {
  const keyId = str(raw, 'keyId');
  if (keyId === undefined) throw new ValidationError("Missing required option '--key-id <id>'.");
  if (keyId.trim() === '') throw new ValidationError('--key-id must not be empty.');
  const o: RotateKeyOptions = {
    keyId: keyId.trim(),
    graceSeconds: checkGrace(str(raw, 'grace') ?? DEFAULT_GRACE, '--grace'),
    json: bool(raw, 'json'),
    api: apiFlags(raw),
  };
  const days = str(raw, 'expiresInDays');
  if (days !== undefined) o.expiresInDays = checkDays(days, '--expires-in-days');
  return o;
}

export async function run(o: RotateKeyOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const serverBase = ctx.apiUrl !== undefined ? new URL(endpointUrl(ctx, '/')).origin : ctx.baseUrl;

  // Which key is about to lose its secret: its prefix and organization now (best effort: a
  // refusal here is the rotation's refusal too, which the rotation itself then reports).
  let before: KeySummary | undefined;
  try {
    before = (
      await request<KeySummary>(deps, {
        url: joinUrl(serverBase, OPERATIONS.getKey.path),
        apiKey: ctx.apiKey,
        body: { keyId: o.keyId },
        timeoutMs: ctx.timeoutMs,
      })
    ).data;
  } catch {
    before = undefined;
  }

  const body: Record<string, unknown> = { keyId: o.keyId, gracePeriodSeconds: o.graceSeconds };
  if (o.expiresInDays !== undefined) body.expiresInDays = o.expiresInDays;
  const envelope = await callOperation<RotateKeyData>(deps, ctx, 'rotateKey', body, 'Rotating API key…');
  const data = envelope.data;

  // Profiles that held the rotated key get the new secret.
  const updated: string[] = [];
  let saveError: string | undefined;
  const callerOrganization = ctx.profile?.organizationId;
  if (before !== undefined) {
    const oldPrefix = before.keyPrefix;
    for (const [name, profile] of Object.entries(ctx.config.profiles)) {
      const sameServer = (profile.baseUrl ?? ctx.baseUrl) === serverBase || name === ctx.profileName;
      const sameOrganization = callerOrganization === undefined || profile.organizationId === callerOrganization;
      if (profile.keyPrefix === oldPrefix && profile.apiKey.startsWith(oldPrefix) && sameServer && sameOrganization) {
        profile.apiKey = data.apiKey;
        profile.keyPrefix = data.keyPrefix;
        profile.keyName = data.name;
        profile.scopes = [...data.scopes];
        if (data.expiresAt !== undefined) profile.expiresAt = data.expiresAt;
        else delete profile.expiresAt;
        updated.push(name);
      }
    }
    if (updated.length > 0) {
      try {
        await deps.config.write(ctx.config);
      } catch (e) {
        saveError = (e as Error).message;
      }
    }
  }
  // A key from --api-key or CODIKA_API_KEY is nobody's profile: say so when it was the rotated one.
  const callerRotated = before !== undefined && ctx.profileName === undefined && ctx.apiKey.startsWith(before.keyPrefix);

  if (o.json) {
    writeJson(deps.io.stdout, envelope);
  } else {
    const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
    const out = deps.io.stdout;
    line(out, `${c.green('✓')} API key rotated`);
    line(out, `Key ID: ${data.keyId}`);
    line(out, `Name: ${data.name}`);
    line(out, `Scopes: ${formatScopes(data.scopes)}`);
    if (data.expiresAt) line(out, `Expires: ${data.expiresAt}`);
    line(
      out,
      data.previousSecretExpiresAt
        ? `Old secret works until: ${data.previousSecretExpiresAt}`
        : 'Old secret: stopped working at once',
    );
    line(out, `API key: ${data.apiKey}`);
  }
  const ec = await colorsFor(deps.env, deps.io.stderrIsTTY);
  const err = deps.io.stderr;
  line(err, ec.yellow('Copy the API key now: it will not be shown again.'));
  if (saveError !== undefined)
    line(err, `Warning: could not save the new key into profile(s) ${updated.join(', ')}: ${saveError}`);
  else if (updated.length > 0)
    line(err, `Saved into profile${updated.length > 1 ? 's' : ''} ${updated.map((n) => `"${n}"`).join(', ')}.`);
  if (callerRotated) {
    line(err, `The key you called with (from ${ctx.source}) was the rotated one: give it the new key before the old one ends.`);
  }
  return 0;
}
