/** POST /createorganizationapikeypublic — create a key; the raw key is answered once. */
import type { CreateKeyData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { lifetimeExceeded } from '../http/lifecycle.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { checkScopeLists } from '../http/scopes.js';
import { newKey } from '../new-key.js';

export function registerCreateKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'createKey', {
    audit: 'key.create',
    handler: async ({ caller, body, now, audited }) => {
      const { scopes = [] } = checkScopeLists({ scopes: body.scopes });
      // A key may only be created in the caller key's own organization. Any other id —
      // existing or not — gets the same answer, without a lookup.
      if (body.organizationId !== caller.organization.id) throw new ApiError('ORGANIZATION_NOT_FOUND');
      const notHeld = scopes.filter((s) => !caller.scopes.includes(s));
      if (notHeld.length > 0) throw new ApiError('SCOPE_ESCALATION', { details: { notHeld } });

      // The organization's maximum lifetime: a longer expiry is refused (the error handler writes
      // the denial's audit row); none given, the key gets the maximum.
      const settings = await config.store.getOrganizationSettings(caller.organization.id);
      const maxDays = settings?.maxKeyLifetimeDays ?? null;
      if (maxDays !== null && body.expiresInDays !== undefined && body.expiresInDays > maxDays) {
        throw lifetimeExceeded(maxDays, now.getTime());
      }
      const { input, rawKey } = newKey(
        { name: body.name, description: body.description ?? '', expiresInDays: body.expiresInDays ?? maxDays ?? undefined },
        now,
      );
      const outcome = await audited((audit) =>
        config.store.createKey(
          { ...input, organizationId: caller.organization.id, createdByUserId: caller.user.id, scopes },
          config.maxKeysPerOrg,
          audit,
        ),
      );
      // limit_reached: the store wrote the denial's audit row.
      if (outcome.status === 'limit_reached') {
        throw new ApiError('MAX_API_KEYS_REACHED', { details: { limit: outcome.limit } });
      }
      const { key } = outcome;
      const data: CreateKeyData = {
        keyId: key.id,
        apiKey: rawKey,
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
