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
