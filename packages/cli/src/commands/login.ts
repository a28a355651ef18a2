/**
 * `codika login` (and `codika config set`): verify a key with /verifyapikey, save it as a profile
 * named after the organization (or --name), make it active.
 */
import { maskKey, parseKey } from '@codika/contract/keys';
import { DEFAULT_BASE_URL, OPERATIONS } from '@codika/contract/operations';
import type { VerifyApiKeyData } from '@codika/contract/schemas';
import { checkKeyFormat, joinUrl, parseTimeout } from '../api-context.js';
import type { Deps } from '../deps.js';
import { MissingApiKeyError, ValidationError } from '../errors.js';
import { colorsFor, formatScopes, line, writeJson } from '../output.js';
import { profileFromVerify, saveProfile } from '../profiles.js';
import { request } from '../request.js';
import { bool, type CommandSpec, checkProfileName, checkUrl, type RawArgs, str } from '../spec.js';

export const spec: CommandSpec = {
  path: ['login'],
  summary: 'Verify an API key with the server and save it as the active profile',
  options: [
    { flags: '--api-key <key>', description: 'API key to save (prompted for, masked, when omitted on a terminal)' },
    { flags: '--base-url <url>', description: 'Server base URL', default: `CODIKA_BASE_URL or ${DEFAULT_BASE_URL}` },
    { flags: '--name <name>', description: 'Profile name', default: "the organization's name as a slug" },
    { flags: '--skip-verify', description: 'Save the key without asking the server (offline)' },
    { flags: '--json', description: 'Output as JSON' },
  ],
  examples: [
    'codika login',
    'codika login --api-key cko_... --base-url http://127.0.0.1:8787',
    'codika login --api-key "$CODIKA_API_KEY" --name ci',
  ],
};

export interface LoginOptions {
  apiKey?: string;
  baseUrl?: string;
  name?: string;
  skipVerify: boolean;
  json: boolean;
}

export function parse(raw: RawArgs): LoginOptions {
  const o: LoginOptions = { skipVerify: bool(raw, 'skipVerify'), json: bool(raw, 'json') };
  const apiKey = str(raw, 'apiKey');
  const baseUrl = str(raw, 'baseUrl');
  const name = str(raw, 'name');
  if (apiKey !== undefined) {
    if (apiKey.trim() === '') throw new ValidationError('--api-key must not be empty.');
    o.apiKey = apiKey.trim();
  }
  if (baseUrl !== undefined) o.baseUrl = checkUrl(baseUrl, '--base-url');
  if (name !== undefined) o.name = checkProfileName(name, '--name');
  return o;
}

export async function run(o: LoginOptions, deps: Deps): Promise<number> {
  let apiKey = o.apiKey;
  if (apiKey === undefined) {
    if (!deps.io.stdinIsTTY) {
      throw new MissingApiKeyError('No API key: pass --api-key (stdin is not a terminal, so there is nothing to prompt on).');
    }
    const answer = await deps.prompter.password('Organization API key (input hidden)');
    if (answer === undefined || answer.trim() === '') throw new MissingApiKeyError('No API key entered.');
    apiKey = answer.trim();
  }
  checkKeyFormat(apiKey, o.apiKey !== undefined ? '--api-key' : 'the prompt');
  const envBase = deps.env.CODIKA_BASE_URL?.trim();
  const baseUrl = (o.baseUrl ?? (envBase ? checkUrl(envBase, 'CODIKA_BASE_URL') : DEFAULT_BASE_URL)).replace(/\/+$/, '');
  const timeoutMs = parseTimeout(deps.env);
  const config = await deps.config.read();

  let data: VerifyApiKeyData;
  let verified = false;
  if (o.skipVerify) {
    const parsed = parseKey(apiKey);
    data = {
      type: parsed.ok ? parsed.type : 'org-api-key',
      keyId: '',
      keyName: '',
      keyPrefix: apiKey.slice(0, 8),
      scopes: [],
      organizationId: '',
      organizationName: '',
      createdAt: deps.clock.now().toISOString(),
    };
  } else {
    data = (
      await request<VerifyApiKeyData>(deps, { url: joinUrl(baseUrl, OPERATIONS.verifyApiKey.path), apiKey, body: {}, timeoutMs })
    ).data;
    verified = true;
  }

  const profile = profileFromVerify(apiKey, data, baseUrl);
  const opts: { name?: string; base?: string } = {};
  if (o.name !== undefined) opts.name = o.name;
  else if (!verified) opts.base = 'default';
  const { name, replaced } = saveProfile(config, profile, opts);
  await deps.config.write(config);

  if (o.json) {
    writeJson(deps.io.stdout, {
      success: true,
      profile: name,
      verified,
      organizationId: profile.organizationId,
      organizationName: profile.organizationName,
      keyName: profile.keyName,
      keyPrefix: profile.keyPrefix,
      scopes: profile.scopes,
      baseUrl,
      configPath: deps.config.path,
    });
    return 0;
  }
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  if (verified) {
    line(out, `${c.green('✓')} Logged in to ${data.organizationName} as "${data.keyName}" (${maskKey(apiKey)})`);
    line(out, `Scopes: ${formatScopes(data.scopes)}`);
  } else {
    line(out, `${c.yellow('!')} Saved ${maskKey(apiKey)} without verifying it (--skip-verify)`);
  }
  line(out, `Server: ${baseUrl}`);
  line(out, `Profile: ${name}${replaced ? ' (replaced)' : ''} (active), saved in ${deps.config.path}`);
  return 0;
}
