/**
 * `codika whoami`: identity of the resolved key, fresh from /verifyapikey; when the server cannot
 * be reached and the key comes from a profile, the cached profile is shown, marked as cached.
 */

import { maskKey } from '@codika/contract/keys';
import { OPERATIONS } from '@codika/contract/operations';
import type { VerifyApiKeyData } from '@codika/contract/schemas';
import type { Scope } from '@codika/contract/scopes';
import { callApi } from '../api.js';
import { type ApiFlags, endpointUrl, resolveApiContext } from '../api-context.js';
import { addApiHints } from '../api-hints.js';
import type { Deps } from '../deps.js';
import { MissingApiKeyError, NetworkError } from '../errors.js';
import { colorsFor, formatScopes, line, writeJson } from '../output.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, type RawArgs } from '../spec.js';

export const spec: CommandSpec = {
  path: ['whoami'],
  summary: 'Show the organization, key and scopes of the API key in use (fresh from the server)',
  options: API_OPTIONS,
  examples: ['codika whoami', 'codika whoami --profile acme-corp --json'],
};

export interface WhoamiOptions {
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): WhoamiOptions {
  return { json: bool(raw, 'json'), api: apiFlags(raw) };
}

export async function run(o: WhoamiOptions, deps: Deps): Promise<number> {
  let ctx: Awaited<ReturnType<typeof resolveApiContext>>;
  try {
    ctx = await resolveApiContext(o.api, deps);
  } catch (error) {
    if (error instanceof MissingApiKeyError) {
      if (o.json) writeJson(deps.io.stdout, { loggedIn: false });
      else {
        line(deps.io.stderr, 'Not logged in: no API key from --api-key, CODIKA_API_KEY or a saved profile.');
        line(deps.io.stderr, 'Run `codika login` to save one.');
      }
      return 2;
    }
    throw error;
  }

  let data: VerifyApiKeyData;
  let cached = false;
  let offlineReason: string | undefined;
  try {
    const res = await callApi<VerifyApiKeyData>({
      fetch: deps.fetch,
      url: endpointUrl(ctx, OPERATIONS.verifyApiKey.path),
      apiKey: ctx.apiKey,
      body: {},
      timeoutMs: ctx.timeoutMs,
    });
    data = res.envelope.data;
  } catch (error) {
    if (error instanceof NetworkError && ctx.profile) {
      const p = ctx.profile;
      cached = true;
      offlineReason = error.message;
      // The profile holds what /verifyapikey answered at login.
      data = {
        type: p.type as VerifyApiKeyData['type'],
        keyId: typeof p.keyId === 'string' ? p.keyId : '', // the shared profile format has no key id
        keyName: p.keyName,
        keyPrefix: p.keyPrefix,
        scopes: p.scopes as Scope[],
        organizationId: p.organizationId,
        organizationName: p.organizationName,
        createdAt: p.createdAt,
      };
      if (p.expiresAt) data.expiresAt = p.expiresAt;
    } else {
      addApiHints(error);
      throw error;
    }
  }

  if (o.json) {
    const doc: Record<string, unknown> = { loggedIn: true, ...data, source: ctx.source, profileName: ctx.profileName ?? null };
    if (doc.keyId === '') delete doc.keyId;
    if (cached) doc.cached = true;
    writeJson(deps.io.stdout, doc);
    if (cached) line(deps.io.stderr, `Warning: ${offlineReason} Showing the cached profile.`);
    return 0;
  }
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  line(out, `Organization: ${data.organizationName}${data.organizationId ? ` (${data.organizationId})` : ''}`);
  line(out, `Key: ${data.keyName} (${data.keyPrefix ? `${data.keyPrefix}…` : maskKey(ctx.apiKey)})`);
  if (data.keyId) line(out, `Key ID: ${data.keyId}`);
  line(out, `Type: ${data.type}`);
  line(out, `Scopes: ${formatScopes(data.scopes)}`);
  if (data.expiresAt) line(out, `Expires: ${data.expiresAt}`);
  if (data.lastUsedAt) line(out, `Last used: ${data.lastUsedAt}`);
  if (data.rotation) {
    line(
      out,
      c.yellow(`Old secret: this key was rotated; the secret in use stops working at ${data.rotation.previousSecretExpiresAt}`),
    );
  }
  line(out, `Source: ${ctx.source}`);
  line(out, `Server: ${ctx.apiUrl ?? ctx.baseUrl}`);
  if (cached) {
    line(out, c.yellow('(cached) server unreachable: showing the profile saved at login'));
    line(deps.io.stderr, `Warning: ${offlineReason}`);
  }
  return 0;
}
