/**
 * Sign-up and sign-in by e-mailed code, shared by the `codika auth …` commands: which server the
 * calls go to, the calls, the profile a minted key is saved as, and the outputs (the public
 * Codika CLI's facts and `--json` shapes; docs/cli/auth-*.md).
 */

import type { SuccessEnvelope } from '@codika/contract/errors';
import { maskKey } from '@codika/contract/keys';
import { DEFAULT_BASE_URL, DEFAULT_CLI_KEY_NAME, OPERATIONS } from '@codika/contract/operations';
import { EXPIRES_IN_DAYS_MAX } from '@codika/contract/rules';
import type { CodeSentData, SignedInData } from '@codika/contract/schemas';
import type { ApiRequest } from './api.js';
import { endpointUrl, joinUrl, parseTimeout, resolveBaseUrl, selectProfile } from './api-context.js';
import type { Config, Profile } from './config-store.js';
import type { Deps } from './deps.js';
import { ApiError, ConfigError, ValidationError } from './errors.js';
import { colorsFor, formatScopes, line, writeJson } from './output.js';
import { signInProfileName } from './profiles.js';
import { request } from './request.js';
import {
  bool,
  checkCode,
  checkDays,
  checkEmail,
  checkName,
  checkProfileName,
  checkUrl,
  type OptionSpec,
  type RawArgs,
  str,
} from './spec.js';

/** Where the code operations go: `--base-url`, or `--api-url` naming the operation's endpoint itself. */
export interface ServerFlags {
  baseUrl?: string;
  apiUrl?: string;
}

export const BASE_URL_OPTION: OptionSpec = {
  flags: '--base-url <url>',
  description: 'Server base URL',
  default: `CODIKA_BASE_URL, the active profile's, or ${DEFAULT_BASE_URL}`,
};
export const API_URL_OPTION: OptionSpec = {
  flags: '--api-url <url>',
  description: "Full URL of this command's endpoint (overrides --base-url)",
};
export const JSON_OPTION: OptionSpec = { flags: '--json', description: 'Output as JSON' };

export function serverFlags(raw: RawArgs): ServerFlags {
  const flags: ServerFlags = {};
  const baseUrl = str(raw, 'baseUrl');
  const apiUrl = str(raw, 'apiUrl');
  if (baseUrl !== undefined) flags.baseUrl = checkUrl(baseUrl, '--base-url').replace(/\/+$/, '');
  if (apiUrl !== undefined) flags.apiUrl = checkUrl(apiUrl, '--api-url');
  return flags;
}

/** The server of a sign-in: its base URL (saved in the profile), the config and the timeout. */
export interface Server {
  baseUrl: string;
  apiUrl?: string;
  config: Config;
  timeoutMs: number;
}

/**
 * The base URL: `--base-url`, else the one `--api-url` implies (its path without the operation's
 * path), else `CODIKA_BASE_URL`, else the active profile's `baseUrl`, else the default — the
 * order of the public CLI, which saves the same base URL in the profile.
 */
export async function resolveServer(flags: ServerFlags, operationPath: string, deps: Deps): Promise<Server> {
  const timeoutMs = parseTimeout(deps.env);
  const config = await deps.config.read();
  let baseUrl: string;
  if (flags.baseUrl !== undefined) baseUrl = flags.baseUrl;
  else if (flags.apiUrl !== undefined) {
    const url = new URL(flags.apiUrl);
    url.search = '';
    url.hash = '';
    if (url.pathname.endsWith(operationPath)) url.pathname = url.pathname.slice(0, -operationPath.length);
    baseUrl = url.toString().replace(/\/+$/, '');
  } else baseUrl = resolveBaseUrl(deps.env, selectProfile(config, undefined).profile).replace(/\/+$/, '');
  const server: Server = { baseUrl, config, timeoutMs };
  if (flags.apiUrl !== undefined) server.apiUrl = flags.apiUrl;
  return server;
}

/** `--api-url` as given (when it names this endpoint), else the operation's path on the base URL. */
export function operationUrl(server: Server, operationPath: string): string {
  return server.apiUrl !== undefined ? endpointUrl(server, operationPath) : joinUrl(server.baseUrl, operationPath);
}

/** A call without a key; an API error's `--json` document carries the HTTP status, as the public CLI's does. */
export async function callWithoutKey<T>(
  deps: Deps,
  req: Omit<ApiRequest, 'fetch' | 'apiKey'>,
  progressMessage: string,
): Promise<SuccessEnvelope<T>> {
  try {
    return await request<T>(deps, req, progressMessage);
  } catch (error) {
    if (error instanceof ApiError) error.statusInJson = true;
    throw error;
  }
}

export type CodeKind = 'signup' | 'login';

/** POST /clirequestsignupotp or /clirequestloginotp. */
export async function sendCode(
  kind: CodeKind,
  email: string,
  server: Server,
  deps: Deps,
): Promise<SuccessEnvelope<CodeSentData>> {
  const op = kind === 'signup' ? OPERATIONS.requestSignupCode : OPERATIONS.requestLoginCode;
  return callWithoutKey<CodeSentData>(
    deps,
    { url: operationUrl(server, op.path), body: { email }, timeoutMs: server.timeoutMs },
    'Sending the code…',
  );
}

export interface CodeRequestOptions {
  email: string;
  server: ServerFlags;
  json: boolean;
}

/** The options of `auth signup-request` and `auth login-request`. */
export function parseCodeRequest(raw: RawArgs): CodeRequestOptions {
  const email = str(raw, 'email');
  if (email === undefined) throw new ValidationError("Missing required option '--email <email>'.");
  return { email: checkEmail(email, '--email'), server: serverFlags(raw), json: bool(raw, 'json') };
}

/** `auth signup-request` / `auth login-request`: send the code; `--json` prints the envelope as received. */
export async function runCodeRequest(kind: CodeKind, o: CodeRequestOptions, deps: Deps): Promise<number> {
  const op = kind === 'signup' ? OPERATIONS.requestSignupCode : OPERATIONS.requestLoginCode;
  const server = await resolveServer(o.server, op.path, deps);
  const envelope = await sendCode(kind, o.email, server, deps);
  if (o.json) writeJson(deps.io.stdout, envelope);
  else await reportCodeSent(kind, envelope.data, o.server, server, deps);
  return 0;
}

/** `600 s (~10 minutes)` */
export function expiresIn(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  return `${seconds} s (~${minutes} minute${minutes === 1 ? '' : 's'})`;
}

function shellWord(s: string): string {
  return /^[\w@.+:/=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The human lines of a sent code, with the command that completes it (same server). */
export async function reportCodeSent(
  kind: CodeKind,
  data: CodeSentData,
  flags: ServerFlags,
  server: Server,
  deps: Deps,
): Promise<void> {
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  const again = flags.baseUrl !== undefined || flags.apiUrl !== undefined ? ` --base-url ${shellWord(server.baseUrl)}` : '';
  line(out, `${c.green('✓')} Code sent`);
  line(out, `  Email:   ${data.email}`);
  line(out, `  Expires: in ${expiresIn(data.expiresInSeconds)}`);
  line(out);
  line(out, 'Check your inbox for the 6-digit code, then run:');
  line(out, `  codika auth ${kind}-complete --email ${shellWord(data.email)} --code <6-digit-code>${again}`);
}

/** POST /clicompletesignup or /clicompletelogin with `body` (email, code, and the optional parts). */
export async function completeSignIn(
  kind: CodeKind,
  body: Record<string, unknown>,
  server: Server,
  deps: Deps,
): Promise<SuccessEnvelope<SignedInData>> {
  const op = kind === 'signup' ? OPERATIONS.completeSignup : OPERATIONS.completeLogin;
  return callWithoutKey<SignedInData>(
    deps,
    { url: operationUrl(server, op.path), body, timeoutMs: server.timeoutMs },
    kind === 'signup' ? 'Signing up…' : 'Signing in…',
  );
}

/** The options `auth signup-complete` and `auth login-complete` share. */
export interface CompletionOptions {
  email: string;
  code: string;
  keyName?: string;
  keyExpiresIn?: number;
  /** The local profile name. */
  name?: string;
  server: ServerFlags;
  json: boolean;
}

export const KEY_OPTIONS: readonly OptionSpec[] = [
  { flags: '--key-name <name>', description: 'Name of the API key it creates', default: DEFAULT_CLI_KEY_NAME },
  {
    flags: '--key-expires-in <days>',
    description: `Days until that API key expires (1–${EXPIRES_IN_DAYS_MAX})`,
    default: 'never',
  },
];
export const PROFILE_NAME_OPTION: OptionSpec = {
  flags: '--name <name>',
  description: 'Local profile name',
  default: "the organization's profile, else its name as a slug",
};

export function parseCompletion(raw: RawArgs): CompletionOptions {
  const email = str(raw, 'email');
  const code = str(raw, 'code');
  if (email === undefined) throw new ValidationError("Missing required option '--email <email>'.");
  if (code === undefined) throw new ValidationError("Missing required option '--code <code>'.");
  const o: CompletionOptions = {
    email: checkEmail(email, '--email'),
    code: checkCode(code, '--code'),
    server: serverFlags(raw),
    json: bool(raw, 'json'),
  };
  const keyName = str(raw, 'keyName');
  const days = str(raw, 'keyExpiresIn');
  const name = str(raw, 'name');
  if (keyName !== undefined) o.keyName = checkName(keyName, '--key-name');
  if (days !== undefined) o.keyExpiresIn = checkDays(days, '--key-expires-in');
  if (name !== undefined) o.name = checkProfileName(name, '--name');
  return o;
}

/** `apiKey: { name, expiresInDays }` of a completion, only with what was given (as the public CLI sends it). */
export function mintedKeyOptions(o: { keyName?: string; keyExpiresIn?: number }): Record<string, unknown> {
  if (o.keyName === undefined && o.keyExpiresIn === undefined) return {};
  const apiKey: Record<string, unknown> = {};
  if (o.keyName !== undefined) apiKey.name = o.keyName;
  if (o.keyExpiresIn !== undefined) apiKey.expiresInDays = o.keyExpiresIn;
  return { apiKey };
}

/**
 * `auth signup-complete` / `auth login-complete`: complete with the code, `extra` (company or
 * organizationId) and the key options, then save the key.
 */
export async function runCompletion(
  kind: CodeKind,
  o: CompletionOptions,
  extra: Record<string, unknown>,
  deps: Deps,
): Promise<number> {
  const op = kind === 'signup' ? OPERATIONS.completeSignup : OPERATIONS.completeLogin;
  const server = await resolveServer(o.server, op.path, deps);
  const body = { email: o.email, code: o.code, ...extra, ...mintedKeyOptions(o) };
  return saveSignedIn(kind, await completeSignIn(kind, body, server, deps), o, server, deps);
}

/**
 * Saves the minted key as a profile (named as the public CLI names it, see profiles.ts) and makes
 * it active; prints the outcome. The raw key is never printed: it lives in the profile only.
 */
export async function saveSignedIn(
  kind: CodeKind,
  envelope: SuccessEnvelope<SignedInData>,
  o: { name?: string; json: boolean },
  server: Server,
  deps: Deps,
): Promise<number> {
  const { organizationId, organizationName, apiKey, isNewUser } = envelope.data;
  const config = server.config;
  const name = signInProfileName(
    config,
    { organizationId, organizationName, keyName: apiKey.name, keyPrefix: apiKey.keyPrefix },
    o.name,
  );
  const replaced = config.profiles[name];
  const profile: Profile = {
    apiKey: apiKey.raw,
    type: 'org-api-key',
    organizationId,
    organizationName,
    keyName: apiKey.name,
    keyPrefix: apiKey.keyPrefix,
    scopes: [...apiKey.scopes],
    createdAt: apiKey.createdAt,
    baseUrl: server.baseUrl,
  };
  if (apiKey.expiresAt) profile.expiresAt = apiKey.expiresAt;
  config.profiles[name] = profile;
  config.activeProfile = name;
  try {
    await deps.config.write(config);
  } catch (error) {
    // The key exists on the server but nowhere here: say which one, so it can be revoked.
    const e = error instanceof ConfigError ? error : new ConfigError(String(error));
    throw e.withHint(
      `The new key ${maskKey(apiKey.raw)} (id ${apiKey.keyId}) was created but not saved. Fix the config file and sign in again; revoke the unsaved key with \`codika organization revoke-key --key-id ${apiKey.keyId}\`.`,
    );
  }

  if (o.json) {
    const key: Record<string, unknown> = {
      keyId: apiKey.keyId,
      keyPrefix: apiKey.keyPrefix,
      name: apiKey.name,
      scopes: apiKey.scopes,
      createdAt: apiKey.createdAt,
    };
    if (apiKey.expiresAt) key.expiresAt = apiKey.expiresAt;
    const data: Record<string, unknown> = { profileName: name, organizationId, organizationName };
    if (kind === 'signup') data.isNewUser = isNewUser;
    data.apiKey = key;
    writeJson(deps.io.stdout, { success: true, data, requestId: envelope.requestId });
    return 0;
  }
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  line(out, `${c.green('✓')} ${kind === 'signup' ? 'Signup' : 'Login'} complete`);
  line(out, `  Profile:      ${name} (active), saved in ${deps.config.path}`);
  line(out, `  Organization: ${organizationName} (${organizationId})`);
  line(out, `  Key name:     ${apiKey.name}`);
  line(out, `  Key:          ${maskKey(apiKey.raw)}`);
  line(out, `  Scopes:       ${formatScopes(apiKey.scopes)}`);
  if (apiKey.expiresAt) line(out, `  Expires:      ${apiKey.expiresAt}`);
  line(out, `  Server:       ${server.baseUrl}`);
  if (kind === 'signup') {
    line(out);
    line(out, 'You can now run `codika whoami`, `codika organization create-key …`, etc.');
  }
  if (replaced !== undefined && replaced.apiKey !== apiKey.raw) {
    line(
      deps.io.stderr,
      `Replaced the key saved in profile "${name}" (${maskKey(replaced.apiKey)}); that key stays valid on the server until it is revoked (\`codika organization list-keys\` lists it).`,
    );
  }
  return 0;
}
