/**
 * Which key and which server a command uses.
 *
 * Key: `--api-key`, then `CODIKA_API_KEY`, then `--profile <name>`, then the active profile.
 * Base URL: `--api-url` (full endpoint URL; empty or `/` path = base URL), then `CODIKA_BASE_URL`,
 * then the `baseUrl` of the profile in play (`--profile`, else the active one), then the default.
 */
import { parseKey } from '@codika/contract/keys';
import { DEFAULT_BASE_URL } from '@codika/contract/operations';
import type { Config, Profile } from './config-store.js';
import { profileNames } from './config-store.js';
import type { Deps } from './deps.js';
import { InvalidApiKeyError, MissingApiKeyError, ValidationError } from './errors.js';
import { checkUrl } from './spec.js';

export interface ApiFlags {
  apiUrl?: string;
  apiKey?: string;
  profile?: string;
}

export type KeySource = 'flag' | 'env (CODIKA_API_KEY)' | `profile "${string}"`;

export interface ApiContext {
  apiKey: string;
  source: KeySource;
  /** Name of the profile the key came from, when it came from one. */
  profileName?: string;
  profile?: Profile;
  config: Config;
  /** The base URL (no operation path) — or the full endpoint when `--api-url` named one. */
  apiUrl?: string;
  baseUrl: string;
  timeoutMs: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;

/** `--profile`, `use`, `logout`, `config show|clear` naming a profile that is not saved (exit 2): lists the saved ones. */
export function unknownProfile(config: Config, name: string): ValidationError {
  const names = profileNames(config);
  const saved = names.length > 0 ? `Available profiles: ${names.join(', ')}.` : 'No profiles are saved yet; run `codika login`.';
  return new ValidationError(`Unknown profile "${name}". ${saved}`);
}

/** The profile named by `--profile` (must exist), else the active one (may be absent). */
export function selectProfile(config: Config, name: string | undefined): { name?: string; profile?: Profile } {
  if (name !== undefined) {
    const profile = config.profiles[name];
    if (profile === undefined) throw unknownProfile(config, name);
    return { name, profile };
  }
  const active = config.activeProfile;
  if (active && config.profiles[active]) return { name: active, profile: config.profiles[active] };
  return {};
}

/** Refuses a key whose prefix, shape or checksum is wrong, before any request. */
export function checkKeyFormat(apiKey: string, source: string): void {
  const parsed = parseKey(apiKey.trim());
  if (parsed.ok) return;
  // Its first characters help find which key it is; a key that short is shown by its length only.
  const shown = apiKey.length > 8 ? ` (${apiKey.slice(0, 8)}…)` : '';
  const why =
    parsed.reason === 'checksum'
      ? 'its checksum does not match (a mistyped or truncated key?)'
      : `it is not a codika API key (expected cko_, ckp_ or cka_ followed by 28 letters and digits${apiKey.length <= 8 ? `; got ${apiKey.length} characters` : ''})`;
  throw new InvalidApiKeyError(`The API key from ${source}${shown} is malformed: ${why}.`);
}

export function parseTimeout(env: Deps['env']): number {
  const raw = env.CODIKA_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ValidationError(`CODIKA_TIMEOUT must be a positive number of seconds, got "${raw}".`);
  }
  return Math.round(seconds * 1000);
}

/** Base URL without `--api-url`: `CODIKA_BASE_URL`, then the profile's `baseUrl`, then the default. */
export function resolveBaseUrl(env: Deps['env'], profile?: Profile): string {
  if (env.CODIKA_BASE_URL && env.CODIKA_BASE_URL.trim() !== '') return checkUrl(env.CODIKA_BASE_URL.trim(), 'CODIKA_BASE_URL');
  if (profile?.baseUrl) return profile.baseUrl;
  return DEFAULT_BASE_URL;
}

/**
 * The URL of one operation. `--api-url` is the full endpoint (as in the public client) unless its
 * path is empty or `/`, in which case it is a base URL and gets the operation path appended.
 */
export function endpointUrl(ctx: Pick<ApiContext, 'apiUrl' | 'baseUrl'>, path: string): string {
  if (ctx.apiUrl !== undefined) {
    const url = new URL(ctx.apiUrl);
    if (url.pathname === '' || url.pathname === '/') return joinUrl(ctx.apiUrl, path);
    return ctx.apiUrl;
  }
  return joinUrl(ctx.baseUrl, path);
}

export function joinUrl(base: string, path: string): string {
  const url = new URL(base);
  const prefix = url.pathname.replace(/\/+$/, '');
  url.pathname = `${prefix}${path}`;
  return url.toString();
}

export async function resolveApiContext(flags: ApiFlags, deps: Deps): Promise<ApiContext> {
  if (flags.apiUrl !== undefined) checkUrl(flags.apiUrl, '--api-url');
  const timeoutMs = parseTimeout(deps.env);
  if (flags.apiKey !== undefined && flags.apiKey.trim() === '') throw new ValidationError('--api-key must not be empty.');

  const config = await deps.config.read();
  const selected = selectProfile(config, flags.profile);

  let apiKey: string;
  let source: KeySource;
  let profileName: string | undefined;
  let profile: Profile | undefined;
  if (flags.apiKey !== undefined) {
    apiKey = flags.apiKey.trim();
    source = 'flag';
  } else if (deps.env.CODIKA_API_KEY && deps.env.CODIKA_API_KEY.trim() !== '') {
    apiKey = deps.env.CODIKA_API_KEY.trim();
    source = 'env (CODIKA_API_KEY)';
  } else if (selected.profile && selected.name !== undefined) {
    apiKey = selected.profile.apiKey;
    source = `profile "${selected.name}"`;
    profileName = selected.name;
    profile = selected.profile;
  } else {
    throw new MissingApiKeyError('No API key: pass --api-key, set CODIKA_API_KEY, or run `codika login` to save a profile.');
  }
  checkKeyFormat(apiKey, source === 'flag' ? '--api-key' : source === 'env (CODIKA_API_KEY)' ? 'CODIKA_API_KEY' : source);

  const baseUrl = resolveBaseUrl(deps.env, selected.profile);
  const ctx: ApiContext = { apiKey, source, config, baseUrl, timeoutMs };
  if (flags.apiUrl !== undefined) ctx.apiUrl = flags.apiUrl;
  if (profileName !== undefined) ctx.profileName = profileName;
  if (profile !== undefined) ctx.profile = profile;
  return ctx;
}
