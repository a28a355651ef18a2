/**
 * The key-lifecycle methods of the Store (store/key-lifecycle.ts) on every database
 * (storeFactories: SQLite, and PostgreSQL when CODIKA_TEST_DATABASE_URL is set): rotation's
 * two secrets, the lifecycle columns of an update, the organization's settings, and an
 * allowlist stored in a form nobody can parse.
 */
import type { Scope } from '@codika/contract/scopes';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey, mintOrgKey } from '../secrets.js';
import { storeFactories } from '../test-support/stores.js';
import type { SqlStore } from './sql-store.js';
import type { ApiKeyRecord, AuditOrigin, RotateJudge, Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T15:00:00.000Z';
const T2 = '2026-03-31T16:00:00.000Z';
const T3 = '2026-03-31T17:00:00.000Z';

function audit(_organizationId: string, _keyId: string | null, _action: string, at = T1): AuditOrigin {
  return { at, requestId: newId(), actorKeyId: null, actorUserId: null, sourceIp: '127.0.0.1', userAgent: 'vitest' };
}

async function seed(store: Store) {
  const org = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
  const owner = await store.ensureUser({ id: newId(), email: 'owner@example.com', createdAt: T0 });
  await store.setMembership({ organizationId: org.id, userId: owner.id, role: 'owner' });
  const minted = mintOrgKey();
  const id = newId();
  const scopes: Scope[] = ['projects:read'];
  const outcome = await store.createKey(
    {
      id,
      organizationId: org.id,
      createdByUserId: owner.id,
      name: 'k',
      description: '',
      scopes,
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: T0,
      expiresAt: null,
    },
    100,
    audit(org.id, id, 'key.create', T0),
  );
  if (outcome.status !== 'created') throw new Error('key not created');
  return { org, owner, keyId: id, raw: minted.rawKey };
}

const allow: RotateJudge = () => null;

for (const factory of storeFactories) {
  describe(`key lifecycle store: ${factory.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    async function rotate(
      organizationId: string,
      keyId: string,
      now: string,
      graceEndsAt: string | null,
      options: { expiresAt?: (key: ApiKeyRecord) => string | null; judge?: RotateJudge } = {},
    ) {
      const minted = mintOrgKey();
      const outcome = await store.rotateKey({
        organizationId,
        keyId,
        now,
        newHash: minted.hash,
        newPrefix: minted.prefix,
        expiresAt: options.expiresAt ?? ((key) => key.expiresAt),
        graceEndsAt: () => graceEndsAt,
        judge: options.judge ?? allow,
        audit: audit(organizationId, keyId, 'key.rotate', now),
      });
      return { outcome, raw: minted.rawKey };
    }

    it('rotation: the new secret is current, the old one is found as the previous one until the given time; a second rotation ends the older one', async () => {
      const { org, keyId, raw: first } = await seed(store);
      const { outcome, raw: second } = await rotate(org.id, keyId, T1, T2);
      expect(outcome.status).toBe('rotated');
      if (outcome.status !== 'rotated') return;
      expect(outcome.key).toMatchObject({ id: keyId, prefix: second.slice(0, 8), previousSecretExpiresAt: T2, expiresAt: null });

      const current = await store.findAuthByHash(hashKey(second));
      expect(current?.secret).toBe('current');
      const previous = await store.findAuthByHash(hashKey(first));
      expect(previous).toMatchObject({ secret: 'previous', key: { id: keyId, previousSecretExpiresAt: T2 } });

      const { raw: third } = await rotate(org.id, keyId, T1, T3);
      expect(await store.findAuthByHash(hashKey(first))).toBeUndefined();
      expect((await store.findAuthByHash(hashKey(second)))?.secret).toBe('previous');
      expect((await store.findAuthByHash(hashKey(third)))?.secret).toBe('current');

      const rows = (await store.listAudit({ targetKeyId: keyId })).filter((r) => r.action === 'key.rotate');
      expect(rows).toHaveLength(2);
      expect(rows.every((r) => r.result === 'allowed')).toBe(true);
    });

    it('rotation with no grace period keeps no previous secret', async () => {
      const { org, keyId, raw } = await seed(store);
      const { outcome } = await rotate(org.id, keyId, T1, null);
      expect(outcome.status === 'rotated' && outcome.key.previousSecretExpiresAt).toBeNull();
      expect(await store.findAuthByHash(hashKey(raw))).toBeUndefined();
    });

    it('rotation of a revoked, expired or unknown key is not_found with a denied row; a judge refusal changes nothing', async () => {
      const { org, keyId, raw } = await seed(store);
      expect((await rotate(org.id, newId(), T1, T2)).outcome.status).toBe('not_found');
      const denied = await rotate(org.id, keyId, T1, T2, { judge: () => ({ code: 'ROLE_HIERARCHY' }) });
      expect(denied.outcome).toEqual({ status: 'denied', denial: { code: 'ROLE_HIERARCHY' } });
      expect((await store.findAuthByHash(hashKey(raw)))?.secret).toBe('current');
      await store.revokeKey({ organizationId: org.id, keyId, now: T1, audit: audit(org.id, keyId, 'key.revoke') });
      expect((await rotate(org.id, keyId, T2, T3)).outcome.status).toBe('not_found');
      const rows = (await store.listAudit({ targetKeyId: keyId })).filter((r) => r.action === 'key.rotate');
      expect(rows.map((r) => r.reason).sort()).toEqual(['KEY_NOT_FOUND', 'ROLE_HIERARCHY']);
    });

    it('rotation sets the expiry it is given and ends the key’s dashboard sessions', async () => {
      const { org, keyId } = await seed(store);
      await store.createSession({ idHash: 'h'.repeat(64), keyId, createdAt: T0, expiresAt: T3 });
      const { outcome } = await rotate(org.id, keyId, T1, T2, { expiresAt: () => T3 });
      expect(outcome.status === 'rotated' && outcome.key.expiresAt).toBe(T3);
      expect(await store.findAuthBySession('h'.repeat(64), T1)).toBeUndefined();
    });

    it('update: expiry, enabled and allowlist columns, in the audit row before and after', async () => {
      const { org, keyId } = await seed(store);
      const outcome = await store.updateKey({
        organizationId: org.id,
        keyId,
        change: { expiresAt: T3, enabled: false, allowedIps: ['10.0.0.0/8'] },
        dryRun: false,
        now: T1,
        judge: () => null,
        audit: audit(org.id, keyId, 'key.update'),
      });
      expect(outcome.status).toBe('updated');
      const key = await store.getLiveKey(org.id, keyId, T1);
      expect(key).toMatchObject({ expiresAt: T3, disabledAt: T1, allowedIps: ['10.0.0.0/8'] });
      const row = (await store.listAudit({ targetKeyId: keyId }))[0];
      expect(row?.before).toEqual({ name: 'k', description: '', scopes: ['projects:read'] });
      expect(row?.after).toEqual({
        name: 'k',
        description: '',
        scopes: ['projects:read'],
        expiresAt: T3,
        enabled: false,
        allowedIps: ['10.0.0.0/8'],
      });
      // Disabling again keeps the first time; enabling and clearing return to the defaults.
      await store.updateKey({
        organizationId: org.id,
        keyId,
        change: { enabled: false },
        dryRun: false,
        now: T2,
        judge: () => null,
        audit: audit(org.id, keyId, 'key.update', T2),
      });
      expect((await store.getLiveKey(org.id, keyId, T2))?.disabledAt).toBe(T1);
      await store.updateKey({
        organizationId: org.id,
        keyId,
        change: { expiresAt: null, enabled: true, allowedIps: null },
        dryRun: false,
        now: T2,
        judge: () => null,
        audit: audit(org.id, keyId, 'key.update', T2),
      });
      expect(await store.getLiveKey(org.id, keyId, T2)).toMatchObject({ expiresAt: null, disabledAt: null, allowedIps: null });
    });

    it('an allowlist stored in a form that is not a JSON list of strings comes back as one unparseable entry (fails closed)', async () => {
      const { org, keyId, raw } = await seed(store);
      const db = (store as SqlStore)['db' as keyof SqlStore] as unknown as import('kysely').Kysely<unknown>;
      await sql`update api_keys set allowed_ips = ${'{not json'} where id = ${keyId}`.execute(db);
      expect((await store.findAuthByHash(hashKey(raw)))?.key.allowedIps).toEqual(['{not json']);
      await sql`update api_keys set allowed_ips = ${'[1,2]'} where id = ${keyId}`.execute(db);
      expect((await store.getLiveKey(org.id, keyId, T1))?.allowedIps).toEqual(['[1,2]']);
    });

    it('settings: read, change (audited), unknown organization; the judge context carries the maximum', async () => {
      const { org, keyId } = await seed(store);
      expect(await store.getOrganizationSettings(org.id)).toEqual({ organizationId: org.id, maxKeyLifetimeDays: null });
      expect(await store.getOrganizationSettings(newId())).toBeUndefined();
      const outcome = await store.updateOrganizationSettings({
        organizationId: org.id,
        maxKeyLifetimeDays: 30,
        audit: audit(org.id, null, 'organization.settings_update'),
      });
      expect(outcome).toEqual({
        status: 'updated',
        before: { organizationId: org.id, maxKeyLifetimeDays: null },
        after: { organizationId: org.id, maxKeyLifetimeDays: 30 },
      });
      const row = (await store.listAudit({ organizationId: org.id })).find((r) => r.action === 'organization.settings_update');
      expect(row).toMatchObject({ before: { maxKeyLifetimeDays: null }, after: { maxKeyLifetimeDays: 30 } });
      expect(
        (
          await store.updateOrganizationSettings({
            organizationId: newId(),
            maxKeyLifetimeDays: 1,
            audit: audit(org.id, null, 'organization.settings_update'),
          })
        ).status,
      ).toBe('organization_not_found');
      let seen: number | null | undefined;
      await store.updateKey({
        organizationId: org.id,
        keyId,
        change: { name: 'x' },
        dryRun: true,
        now: T1,
        judge: (_b, _a, context) => {
          seen = context.maxKeyLifetimeDays;
          return null;
        },
        audit: audit(org.id, keyId, 'key.update'),
      });
      expect(seen).toBe(30);
    });
  });
}
