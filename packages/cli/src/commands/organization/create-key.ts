/**
 * `codika organization create-key`: create a key, print the raw key once, save it as a new
 * profile and make it active.
 */
import { OPERATIONS } from '@codika/contract/operations';
import { EXPIRES_IN_DAYS_MAX } from '@codika/contract/rules';
import type { CreateKeyData, VerifyApiKeyData } from '@codika/contract/schemas';
import { SCOPE_DESCRIPTIONS, SCOPES, splitScopeList } from '@codika/contract/scopes';
import { callApi } from '../../api.js';
import { type ApiFlags, endpointUrl, joinUrl, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import { colorsFor, formatScopes, line, writeJson } from '../../output.js';
import { profileFromVerify, saveProfile } from '../../profiles.js';
import { callOperation, request } from '../../request.js';
import {
  API_OPTIONS,
  apiFlags,
  bool,
  type CommandSpec,
  checkDays,
  checkDescription,
  checkId,
  checkName,
  type RawArgs,
  renderTable,
  str,
} from '../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'create-key'],
  summary: 'Create an organization API key (the raw key is printed once and saved as the active profile)',
  options: [
    { flags: '--organization-id <id>', description: 'Organization to create the key in', default: "the active profile's" },
    { flags: '--name <name>', description: 'Key name (required)' },
    { flags: '--scopes <scopes>', description: 'Comma-separated scopes (required)' },
    { flags: '--description <desc>', description: 'Key description' },
    {
      flags: '--expires-in-days <days>',
      description: `Expire the key after this many days (1–${EXPIRES_IN_DAYS_MAX})`,
      default: 'never',
    },
    ...API_OPTIONS,
  ],
  notes: () => [['Available scopes:', ...renderTable(SCOPES.map((s) => [s, SCOPE_DESCRIPTIONS[s]]))].join('\n')],
  examples: [
    'codika organization create-key --name "CI Deploy Key" --scopes deploy:use-case,projects:read',
    'codika organization create-key --name "Nightly" --scopes executions:read --expires-in-days 30 --json',
  ],
};

export interface CreateKeyOptions {
  organizationId?: string;
  name: string;
  scopes: string[];
  description?: string;
  expiresInDays?: number;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): CreateKeyOptions {
  const name = str(raw, 'name');
  const scopes = str(raw, 'scopes');
  if (name === undefined) throw new ValidationError("Missing required option '--name <name>'.");
  if (scopes === undefined) throw new ValidationError("Missing required option '--scopes <scopes>'.");
  const list = splitScopeList(scopes);
  if (list.length === 0) throw new ValidationError('--scopes is empty: give at least one scope, comma-separated.');
  const o: CreateKeyOptions = { name: checkName(name, '--name'), scopes: list, json: bool(raw, 'json'), api: apiFlags(raw) };
  const org = str(raw, 'organizationId');
  if (org !== undefined) o.organizationId = checkId(org, '--organization-id');
  const description = str(raw, 'description');
  if (description !== undefined) o.description = checkDescription(description, '--description');
  const days = str(raw, 'expiresInDays');
  if (days !== undefined) o.expiresInDays = checkDays(days, '--expires-in-days');
  return o;
}

export async function run(o: CreateKeyOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  // Default organization: the calling profile's; for a key from --api-key or CODIKA_API_KEY, ask
  // the server which organization the key belongs to.
  // With --api-url naming the create endpoint itself, other operations go to the same origin.
  const serverBase = ctx.apiUrl !== undefined ? new URL(endpointUrl(ctx, '/')).origin : ctx.baseUrl;
  let organizationId = o.organizationId ?? (ctx.profile?.organizationId || undefined);
  let callerOrgName = ctx.profile?.organizationId === organizationId ? ctx.profile?.organizationName : undefined;
  if (organizationId === undefined) {
    const who = await request<VerifyApiKeyData>(deps, {
      url: joinUrl(serverBase, OPERATIONS.verifyApiKey.path),
      apiKey: ctx.apiKey,
      body: {},
      timeoutMs: ctx.timeoutMs,
    });
    organizationId = who.data.organizationId;
    callerOrgName = who.data.organizationName;
  }
  const body: Record<string, unknown> = { organizationId, name: o.name, scopes: o.scopes };
  if (o.description !== undefined) body.description = o.description;
  if (o.expiresInDays !== undefined) body.expiresInDays = o.expiresInDays;

  const envelope = await callOperation<CreateKeyData>(deps, ctx, 'createKey', body, 'Creating API key…');
  const data = envelope.data;

  // Save the new key as a profile. The organization name comes from the calling profile when it
  // is the same organization; otherwise ask the server with the new key (best effort).
  let verify: VerifyApiKeyData = {
    type: 'org-api-key',
    keyId: data.keyId,
    keyName: data.name,
    keyPrefix: data.keyPrefix,
    scopes: data.scopes,
    organizationId,
    organizationName: callerOrgName ?? '',
    createdAt: data.createdAt,
  };
  if (data.expiresAt) verify.expiresAt = data.expiresAt;
  if (verify.organizationName === '') {
    try {
      const res = await callApi<VerifyApiKeyData>({
        fetch: deps.fetch,
        url: joinUrl(serverBase, OPERATIONS.verifyApiKey.path),
        apiKey: data.apiKey,
        body: {},
        timeoutMs: ctx.timeoutMs,
      });
      verify = res.envelope.data;
    } catch {
      verify.organizationName = organizationId;
    }
  }
  const previous = ctx.config.activeProfile;
  const profile = profileFromVerify(data.apiKey, verify, serverBase);
  const { name: profileName } = saveProfile(ctx.config, profile, { base: `${verify.organizationName}-${data.name}` });
  let saveError: string | undefined;
  try {
    await deps.config.write(ctx.config);
  } catch (e) {
    saveError = (e as Error).message;
  }

  if (o.json) {
    writeJson(deps.io.stdout, envelope);
  } else {
    const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
    const out = deps.io.stdout;
    line(out, `${c.green('✓')} API key created`);
    line(out, `Key ID: ${data.keyId}`);
    line(out, `Name: ${data.name}`);
    line(out, `Scopes: ${formatScopes(data.scopes)}`);
    if (data.expiresAt) line(out, `Expires: ${data.expiresAt}`);
    line(out, `API key: ${data.apiKey}`);
  }
  const ec = await colorsFor(deps.env, deps.io.stderrIsTTY);
  line(deps.io.stderr, ec.yellow('Copy the API key now: it will not be shown again.'));
  if (saveError) {
    line(deps.io.stderr, `Warning: could not save the key as a profile: ${saveError}`);
  } else {
    line(
      deps.io.stderr,
      `Saved as profile "${profileName}" (now active).${previous && previous !== profileName ? ` Switch back with: codika use ${previous}` : ''}`,
    );
  }
  return 0;
}
