/** POST /createorganizationapikeypublic — create a key; the raw key is answered once. */
import type { CreateKeyData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { iso } from '../clock.js';
import { ApiError } from '../http/errors.js';
import { lifetimeExceeded } from '../http/lifecycle.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { checkScopeLists } from '../http/scopes.js';
import { newId } from '../ids.js';
import { mintOrgKey } from '../secrets.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function registerCreateKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'createKey', {
    audit: 'key.create',
    handler: async ({ caller, body, now, nowIso, audit, markAudited }) => {
      const { scopes = [] } = checkScopeLists({ scopes: body.scopes });
      // A key may only be created in the caller key's own organization. Any other id —
      // existing or not — gets the same answer, without a lookup.
      if (body.organizationId !== caller.organization.id) throw new ApiError('ORGANIZATION_NOT_FOUND');
      const notHeld = scopes.filter((s) => !caller.scopes.includes(s));
      if (notHeld.length > 0) throw new ApiError('SCOPE_ESCALATION', { details: { notHeld } });

      const id = newId();
      const minted = mintOrgKey();
      const description = body.description ?? '';
      // The organization's maximum lifetime: a longer expiry is refused; none given, the key gets the maximum.
      const settings = await config.store.getOrganizationSettings(caller.organization.id);
      const maxDays = settings?.maxKeyLifetimeDays ?? null;
      if (maxDays !== null && body.expiresInDays !== undefined && body.expiresInDays > maxDays) {
        throw lifetimeExceeded(maxDays, now.getTime());
      }
      const days = body.expiresInDays ?? maxDays;
      const expiresAt = days === null ? null : iso(new Date(now.getTime() + days * DAY_MS));
      const outcome = await config.store.createKey(
        {
          id,
          organizationId: caller.organization.id,
          createdByUserId: caller.user.id,
          name: body.name,
          description,
          scopes,
          prefix: minted.prefix,
          hash: minted.hash,
          createdAt: nowIso,
          expiresAt,
        },
        config.maxKeysPerOrg,
        {
          ...audit(id),
          result: 'allowed',
          reason: null,
          before: null,
          after: { name: body.name, description, scopes, ...(expiresAt === null ? {} : { expiresAt }) },
        },
      );
      // limit_reached: the store wrote nothing; the error handler writes the denial's audit row.
      if (outcome.status === 'limit_reached') {
        throw new ApiError('MAX_API_KEYS_REACHED', { details: { limit: outcome.limit } });
      }
      markAudited();
      const { key } = outcome;
      const data: CreateKeyData = {
        keyId: key.id,
        apiKey: minted.rawKey,
        keyPrefix: key.prefix,
        name: key.name,
        description: key.description,
        scopes: key.scopes,
        createdAt: key.createdAt,
      };
      if (key.expiresAt !== null) data.expiresAt = key.expiresAt;
      return data;
    },
  });
}
