/**
 * POST /rotateorganizationapikeypublic — a new secret for the same key (id, name, description,
 * scopes, allowlist and enabled state kept); the raw key is answered once, in the create
 * answer's shape. The old secret keeps working `gracePeriodSeconds` more (0: it ends at once),
 * never past the key's expiry; rotating again during a grace period ends the older secret at
 * once (a key has at most two working secrets). The expiry: `expiresInDays` from now when given
 * (at most the organization's maximum lifetime, else KEY_LIFETIME_EXCEEDED); otherwise the key
 * keeps its own — a rotation never makes an expiring key permanent — cut to now + the maximum
 * when the organization has one the key's expiry breaks. Same 404 and key hierarchy rules as
 * update and revoke, judged inside the store's transaction; every attempt is audited
 * (`key.rotate`).
 */
import type { RotateKeyData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { iso } from '../clock.js';
import { ApiError } from '../http/errors.js';
import { DAY_MS, lifetimeExceeded } from '../http/lifecycle.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { keyHierarchyDenial } from '../roles.js';
import { mintOrgKey } from '../secrets.js';

export function registerRotateKey(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'rotateKey', {
    audit: 'key.rotate',
    handler: async ({ caller, body, now, nowIso, audited }) => {
      const nowMs = now.getTime();
      const minted = mintOrgKey();
      const outcome = await audited((audit) =>
        config.store.rotateKey({
          organizationId: caller.organization.id,
          keyId: body.keyId,
          now: nowIso,
          newHash: minted.hash,
          newPrefix: minted.prefix,
          expiresAt: (key, maxDays) => {
            if (body.expiresInDays !== undefined) return iso(new Date(nowMs + body.expiresInDays * DAY_MS));
            if (maxDays === null) return key.expiresAt;
            const latest = nowMs + maxDays * DAY_MS;
            return key.expiresAt !== null && Date.parse(key.expiresAt) <= latest ? key.expiresAt : iso(new Date(latest));
          },
          graceEndsAt: (expiresAt) => {
            if (body.gracePeriodSeconds === 0) return null;
            const end = nowMs + body.gracePeriodSeconds * 1000;
            return iso(new Date(expiresAt === null ? end : Math.min(end, Date.parse(expiresAt))));
          },
          // Decided inside the store's transaction, against the locked row; a denial comes back as is.
          judge: (_key, { creatorRole, maxKeyLifetimeDays }): ApiError | null => {
            const hierarchy = keyHierarchyDenial(caller.role, creatorRole);
            if (hierarchy !== null) return new ApiError(hierarchy);
            if (maxKeyLifetimeDays !== null && body.expiresInDays !== undefined && body.expiresInDays > maxKeyLifetimeDays) {
              return lifetimeExceeded(maxKeyLifetimeDays, nowMs);
            }
            return null;
          },
          audit,
        }),
      );
      if (outcome.status === 'not_found') throw new ApiError('KEY_NOT_FOUND');
      if (outcome.status === 'denied') throw outcome.denial;
      const { key } = outcome;
      const data: RotateKeyData = {
        keyId: key.id,
        apiKey: minted.rawKey,
        keyPrefix: key.prefix,
        name: key.name,
        description: key.description,
        scopes: key.scopes,
        createdAt: key.createdAt,
        rotatedAt: nowIso,
      };
      if (key.expiresAt !== null) data.expiresAt = key.expiresAt;
      if (key.previousSecretExpiresAt !== null) data.previousSecretExpiresAt = key.previousSecretExpiresAt;
      return data;
    },
  });
}
