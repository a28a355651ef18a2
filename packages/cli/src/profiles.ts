/** Building and saving profiles in the shared config format. */
import type { VerifyApiKeyData } from '@codika/contract/schemas';
import type { Config, Profile } from './config-store.js';
import { slugify, uniqueProfileName } from './config-store.js';

export function profileFromVerify(apiKey: string, data: VerifyApiKeyData, baseUrl: string): Profile {
  const profile: Profile = {
    apiKey,
    type: data.type,
    organizationId: data.organizationId,
    organizationName: data.organizationName,
    keyName: data.keyName,
    keyPrefix: data.keyPrefix,
    scopes: [...data.scopes],
    createdAt: data.createdAt,
    baseUrl,
  };
  if (data.expiresAt) profile.expiresAt = data.expiresAt;
  return profile;
}

/**
 * Saves `profile` under `name` (or a name derived from the organization, made unique unless the
 * existing profile of that name holds the same key or the same key of the same organization).
 * Makes it active. Returns the name used and whether a profile was replaced.
 */
export function saveProfile(
  config: Config,
  profile: Profile,
  opts: { name?: string; base?: string },
): { name: string; replaced: boolean } {
  const name =
    opts.name ??
    uniqueProfileName(
      config,
      slugify(opts.base ?? profile.organizationName),
      (p) => p.apiKey === profile.apiKey || (p.organizationId === profile.organizationId && p.keyPrefix === profile.keyPrefix),
    );
  const replaced = config.profiles[name] !== undefined;
  config.profiles[name] = profile;
  config.activeProfile = name;
  return { name, replaced };
}

/** The public Codika CLI's slug: lower case, each run of other characters than a–z and 0–9 one "-", none at the ends. */
function publicSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** What names a key minted by sign-up or sign-in. */
export interface MintedKeyNaming {
  organizationId: string;
  organizationName: string;
  keyName: string;
  keyPrefix: string;
}

/**
 * The profile a key minted by sign-up or sign-in is saved as, named the way the public Codika CLI
 * names it (so both clients pick the same name): `name` when given; else the first profile that
 * already holds this organization (its key is replaced); else the organization's name as a slug —
 * or the key's name, its prefix, `default` — with `-2`, `-3`… when that name is taken.
 */
export function signInProfileName(config: Config, key: MintedKeyNaming, name?: string): string {
  if (name !== undefined) return name;
  const existing = Object.entries(config.profiles).find(([, p]) => p.organizationId === key.organizationId);
  if (existing) return existing[0];
  const base =
    (key.organizationName ? publicSlug(key.organizationName) : key.keyName ? publicSlug(key.keyName) : key.keyPrefix) ||
    'default';
  let candidate = base;
  for (let i = 2; config.profiles[candidate] !== undefined; i++) candidate = `${base}-${i}`;
  return candidate;
}
