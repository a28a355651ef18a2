import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalScopes, SCOPES, type Scope } from '@codika/contract/scopes';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey, mintOrgKey } from '../secrets.js';
import { storeFactories } from '../test-support/stores.js';
import { openStore } from './index.js';
import type { SqlStore } from './sql-store.js';
import type { AuditEntryInput, ChangeJudge, NewKeyInput, Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T15:00:00.000Z';
const T2 = '2026-03-31T16:00:00.000Z';
const allow: ChangeJudge = () => null;

function auditBase(organizationId: string, targetKeyId: string | null, at = T1) {
  return {
    at,
    requestId: newId(),
    action: 'key.update' as const,
    actorKeyId: null,
    actorUserId: null,
    organizationId,
    targetKeyId,
    sourceIp: '127.0.0.1',
    userAgent: 'vitest',
  };
}

function createAudit(organizationId: string, keyId: string, scopes: Scope[], name = 'k'): AuditEntryInput {
  return {
    ...auditBase(organizationId, keyId, T0),
    action: 'key.create',
    result: 'allowed',
    reason: null,
    before: null,
    after: { name, description: '', scopes },
  };
}

async function seed(store: Store) {
  const org = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
  const other = await store.createOrganization({ id: newId(), name: 'Other Org', createdAt: T0 });
  const owner = await store.ensureUser({ id: newId(), email: 'Owner@Example.com', createdAt: T0 });
  await store.setMembership({ organizationId: org.id, userId: owner.id, role: 'owner' });
  return { org, other, owner };
}

async function addKey(
  store: Store,
  organizationId: string,
  userId: string,
  opts: { scopes?: Scope[]; name?: string; expiresAt?: string | null; max?: number; createdAt?: string } = {},
) {
  const minted = mintOrgKey();
  const scopes = opts.scopes ?? ['projects:read'];
  const input: NewKeyInput = {
    id: newId(),
    organizationId,
    createdByUserId: userId,
    name: opts.name ?? 'CI key',
    description: '',
    scopes,
    prefix: minted.prefix,
    hash: minted.hash,
    createdAt: opts.createdAt ?? T0,
    expiresAt: opts.expiresAt ?? null,
  };
  const outcome = await store.createKey(input, opts.max ?? 20, createAudit(organizationId, input.id, scopes, input.name));
  return { outcome, input, rawKey: minted.rawKey };
}

async function createdKey(store: Store, organizationId: string, userId: string, opts: Parameters<typeof addKey>[3] = {}) {
  const { outcome, rawKey } = await addKey(store, organizationId, userId, opts);
  if (outcome.status !== 'created') throw new Error('expected created');
  return { key: outcome.key, rawKey };
}

for (const factory of storeFactories) {
  describe(`Store: ${factory.name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory.create();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('lifecycle', () => {
      it('migrate() is idempotent and ping() answers', async () => {
        await store.migrate();
        await store.migrate();
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('close() twice is harmless', async () => {
        await store.close();
        await store.close();
      });
    });

    describe('organizations, users, memberships', () => {
      it('creates and reads organizations; isEmpty reflects them', async () => {
        expect(await store.isEmpty()).toBe(true);
        const org = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
        expect(await store.isEmpty()).toBe(false);
        expect(await store.getOrganization(org.id)).toEqual({ id: org.id, name: 'Acme Corp', createdAt: T0 });
        expect(await store.getOrganization(newId())).toBeUndefined();
      });

      it('ensureUser lower-cases emails and returns the existing user on a repeat', async () => {
        const a = await store.ensureUser({ id: newId(), email: ' Alice@Example.COM ', createdAt: T0 });
        expect(a.email).toBe('alice@example.com');
        const again = await store.ensureUser({ id: newId(), email: 'ALICE@example.com', createdAt: T1 });
        expect(again).toEqual(a);
        expect(await store.getUserByEmail('alice@EXAMPLE.com')).toEqual(a);
        expect(await store.getUserByEmail('bob@example.com')).toBeUndefined();
      });

      it('sets, changes and removes memberships', async () => {
        const { org, owner } = await seed(store);
        const u = await store.ensureUser({ id: newId(), email: 'm@example.com', createdAt: T0 });
        expect(await store.getMembership(org.id, u.id)).toBeUndefined();
        await store.setMembership({ organizationId: org.id, userId: u.id, role: 'member' });
        expect(await store.getMembership(org.id, u.id)).toEqual({ organizationId: org.id, userId: u.id, role: 'member' });
        await store.setMembership({ organizationId: org.id, userId: u.id, role: 'admin' });
        expect((await store.getMembership(org.id, u.id))?.role).toBe('admin');
        expect(await store.removeMembership(org.id, u.id)).toBe(true);
        expect(await store.removeMembership(org.id, u.id)).toBe(false);
        expect(await store.getMembership(org.id, u.id)).toBeUndefined();
        expect((await store.getMembership(org.id, owner.id))?.role).toBe('owner');
      });

      it('refuses a role outside owner|admin|member', async () => {
        const { org } = await seed(store);
        const u = await store.ensureUser({ id: newId(), email: 'x@example.com', createdAt: T0 });
        // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong
        await expect(store.setMembership({ organizationId: org.id, userId: u.id, role: 'god' as any })).rejects.toThrow();
      });
    });

    describe('keys', () => {
      it('createKey stores the key with canonical, de-duplicated scopes and its audit row', async () => {
        const { org, owner } = await seed(store);
        const { outcome, input } = await addKey(store, org.id, owner.id, {
          scopes: ['api-keys:manage', 'projects:read', 'deploy:use-case', 'projects:read'] as Scope[],
        });
        expect(outcome.status).toBe('created');
        if (outcome.status !== 'created') return;
        expect(outcome.key).toEqual({
          id: input.id,
          organizationId: org.id,
          createdByUserId: owner.id,
          name: 'CI key',
          description: '',
          scopes: ['api-keys:manage', 'deploy:use-case', 'projects:read'],
          prefix: input.prefix,
          createdAt: T0,
          updatedAt: T0,
          expiresAt: null,
          revokedAt: null,
          lastUsedAt: null,
          lastUsedIp: null,
          previousSecretExpiresAt: null,
          disabledAt: null,
          allowedIps: null,
        });
        const audit = await store.listAudit({ organizationId: org.id });
        expect(audit).toHaveLength(1);
        expect(audit[0]).toMatchObject({ action: 'key.create', result: 'allowed', targetKeyId: input.id, actorKeyId: null });
      });

      it('createKey refuses when the organization has its maximum of live keys; revoked and expired ones do not count', async () => {
        const { org, other, owner } = await seed(store);
        await store.setMembership({ organizationId: other.id, userId: owner.id, role: 'owner' });
        const a = await createdKey(store, org.id, owner.id, { max: 3 });
        await createdKey(store, org.id, owner.id, { max: 3 });
        await createdKey(store, org.id, owner.id, { max: 3, expiresAt: '2026-03-31T14:30:00.000Z' });
        const full = await addKey(store, org.id, owner.id, { max: 3, createdAt: '2026-03-31T14:10:00.000Z' });
        expect(full.outcome).toEqual({ status: 'limit_reached', limit: 3 });
        expect(await store.findAuthByHash(full.input.hash)).toBeUndefined();
        // The other organization is not affected.
        expect((await addKey(store, other.id, owner.id, { max: 3 })).outcome.status).toBe('created');
        // After expiry of one key and revocation of another, two slots are free.
        await store.revokeKey({ organizationId: org.id, keyId: a.key.id, now: T1, audit: auditBase(org.id, a.key.id) });
        expect((await addKey(store, org.id, owner.id, { max: 3, createdAt: T1 })).outcome.status).toBe('created');
        expect((await addKey(store, org.id, owner.id, { max: 3, createdAt: T1 })).outcome.status).toBe('created');
        expect((await addKey(store, org.id, owner.id, { max: 3, createdAt: T1 })).outcome.status).toBe('limit_reached');
      });

      it('concurrent creations never exceed the limit', async () => {
        const { org, owner } = await seed(store);
        const outcomes = await Promise.all(Array.from({ length: 30 }, () => addKey(store, org.id, owner.id, { max: 20 })));
        expect(outcomes.filter((o) => o.outcome.status === 'created')).toHaveLength(20);
        expect(await store.listLiveKeys(org.id, T0)).toHaveLength(20);
      });

      it('createKey refuses a duplicate hash', async () => {
        const { org, owner } = await seed(store);
        const { input } = await addKey(store, org.id, owner.id);
        await expect(
          store.createKey({ ...input, id: newId() }, 20, createAudit(org.id, input.id, ['projects:read'])),
        ).rejects.toThrow();
        expect(await store.listLiveKeys(org.id, T0)).toHaveLength(1);
        expect(await store.listAudit({ organizationId: org.id })).toHaveLength(1);
      });

      it('findAuthByHash returns key, organization, user, current role and scopes, revoked and expired included', async () => {
        const { org, owner } = await seed(store);
        const { key, rawKey } = await createdKey(store, org.id, owner.id, {
          scopes: ['api-keys:manage', 'projects:read'],
          expiresAt: T1,
        });
        const auth = await store.findAuthByHash(hashKey(rawKey));
        expect(auth).toEqual({
          key,
          organization: { id: org.id, name: 'Acme Corp', createdAt: T0 },
          user: { id: owner.id, email: 'owner@example.com', createdAt: T0 },
          role: 'owner',
          secret: 'current',
        });
        await store.setMembership({ organizationId: org.id, userId: owner.id, role: 'member' });
        expect((await store.findAuthByHash(hashKey(rawKey)))?.role).toBe('member');
        await store.removeMembership(org.id, owner.id);
        expect((await store.findAuthByHash(hashKey(rawKey)))?.role).toBeNull();
        await store.revokeKey({ organizationId: org.id, keyId: key.id, now: T0, audit: auditBase(org.id, key.id, T0) });
        const revoked = await store.findAuthByHash(hashKey(rawKey));
        expect(revoked?.key.revokedAt).toBe(T0);
        expect(revoked?.key.expiresAt).toBe(T1);
        expect(await store.findAuthByHash(hashKey(mintOrgKey().rawKey))).toBeUndefined();
      });

      it('findAuthByHash of a key without scopes returns an empty list', async () => {
        const { org, owner } = await seed(store);
        const { rawKey } = await createdKey(store, org.id, owner.id, { scopes: [] });
        expect((await store.findAuthByHash(hashKey(rawKey)))?.key.scopes).toEqual([]);
      });

      it('touchLastUsed writes only when the last use is older than staleBefore', async () => {
        const { org, owner } = await seed(store);
        const { key } = await createdKey(store, org.id, owner.id);
        const get = async () => (await store.getLiveKey(org.id, key.id, T0))?.lastUsedAt;
        await store.touchLastUsed(key.id, '2026-03-31T14:00:10.000Z', '2026-03-31T13:59:10.000Z');
        expect(await get()).toBe('2026-03-31T14:00:10.000Z');
        await store.touchLastUsed(key.id, '2026-03-31T14:00:40.000Z', '2026-03-31T13:59:40.000Z');
        expect(await get()).toBe('2026-03-31T14:00:10.000Z');
        await store.touchLastUsed(key.id, '2026-03-31T14:01:20.000Z', '2026-03-31T14:00:20.000Z');
        expect(await get()).toBe('2026-03-31T14:01:20.000Z');
      });

      it('touchLastUsed records the address with the time, in the same once-an-interval write', async () => {
        const { org, owner } = await seed(store);
        const { key } = await createdKey(store, org.id, owner.id);
        const get = async () => (await store.getLiveKey(org.id, key.id, T0))?.lastUsedIp;
        expect(await get()).toBeNull();
        await store.touchLastUsed(key.id, '2026-03-31T14:00:10.000Z', '2026-03-31T13:59:10.000Z', '10.0.0.1');
        expect(await get()).toBe('10.0.0.1');
        // Within the interval: neither the time nor the address changes.
        await store.touchLastUsed(key.id, '2026-03-31T14:00:40.000Z', '2026-03-31T13:59:40.000Z', '10.0.0.2');
        expect(await get()).toBe('10.0.0.1');
        await store.touchLastUsed(key.id, '2026-03-31T14:01:20.000Z', '2026-03-31T14:00:20.000Z', '2001:db8::1');
        expect(await get()).toBe('2001:db8::1');
      });

      it('getLiveKey and listLiveKeys show only live keys of that organization, with the creator', async () => {
        const { org, other, owner } = await seed(store);
        await store.setMembership({ organizationId: other.id, userId: owner.id, role: 'owner' });
        const a = await createdKey(store, org.id, owner.id, { name: 'a', scopes: ['skills:read', 'deploy:use-case'] });
        const b = await createdKey(store, org.id, owner.id, { name: 'b', createdAt: '2026-03-31T14:00:01.000Z' });
        const expired = await createdKey(store, org.id, owner.id, { name: 'c', expiresAt: T1 });
        const revoked = await createdKey(store, org.id, owner.id, { name: 'd' });
        const foreign = await createdKey(store, other.id, owner.id, { name: 'e' });
        await store.revokeKey({ organizationId: org.id, keyId: revoked.key.id, now: T0, audit: auditBase(org.id, null) });

        const live = await store.getLiveKey(org.id, a.key.id, T1);
        expect(live).toEqual({ ...a.key, createdByEmail: 'owner@example.com' });
        expect(live?.scopes).toEqual(['deploy:use-case', 'skills:read']);
        expect(await store.getLiveKey(org.id, expired.key.id, T0)).toBeDefined();
        expect(await store.getLiveKey(org.id, expired.key.id, T1)).toBeUndefined();
        expect(await store.getLiveKey(org.id, revoked.key.id, T0)).toBeUndefined();
        expect(await store.getLiveKey(org.id, foreign.key.id, T0)).toBeUndefined();
        expect(await store.getLiveKey(org.id, newId(), T0)).toBeUndefined();

        const list = await store.listLiveKeys(org.id, T1);
        expect(list.map((k) => k.name)).toEqual(['a', 'b']);
        expect(list[1]).toEqual({ ...b.key, createdByEmail: 'owner@example.com' });
      });

      it('revokeKey revokes a live key once, with audit rows; unknown and foreign keys are not found', async () => {
        const { org, other, owner } = await seed(store);
        await store.setMembership({ organizationId: other.id, userId: owner.id, role: 'owner' });
        const { key, rawKey } = await createdKey(store, org.id, owner.id);
        const foreign = await createdKey(store, other.id, owner.id);
        const outcome = await store.revokeKey({
          organizationId: org.id,
          keyId: key.id,
          now: T1,
          audit: auditBase(org.id, key.id),
        });
        expect(outcome.status).toBe('revoked');
        if (outcome.status !== 'revoked') return;
        expect(outcome.key).toMatchObject({ id: key.id, revokedAt: T1, updatedAt: T1 });
        expect((await store.findAuthByHash(hashKey(rawKey)))?.key.revokedAt).toBe(T1);
        expect(
          await store.revokeKey({ organizationId: org.id, keyId: key.id, now: T2, audit: auditBase(org.id, key.id) }),
        ).toEqual({
          status: 'not_found',
        });
        expect(
          await store.revokeKey({
            organizationId: org.id,
            keyId: foreign.key.id,
            now: T2,
            audit: auditBase(org.id, foreign.key.id),
          }),
        ).toEqual({ status: 'not_found' });
        expect((await store.getLiveKey(other.id, foreign.key.id, T2))?.revokedAt).toBeNull();

        const audit = await store.listAudit({ organizationId: org.id, targetKeyId: key.id });
        // The store names the action itself, whatever the caller's audit object carried.
        expect(audit.map((a) => [a.action, a.result, a.reason])).toEqual([
          ['key.revoke', 'denied', 'KEY_NOT_FOUND'],
          ['key.revoke', 'allowed', null],
          ['key.create', 'allowed', null],
        ]);
        expect(audit[1]?.before).toEqual({ name: 'CI key', description: '', scopes: ['projects:read'] });
      });
    });

    describe('updateKey', () => {
      async function setup(scopes: Scope[] = ['deploy:use-case', 'projects:read']) {
        const s = await seed(store);
        const { key } = await createdKey(store, s.org.id, s.owner.id, { scopes });
        return { ...s, key };
      }

      it('replaces scopes, renames and sets the description, with an allowed audit row', async () => {
        const { org, key } = await setup();
        const audit = auditBase(org.id, key.id);
        const outcome = await store.updateKey({
          organizationId: org.id,
          keyId: key.id,
          change: {
            scopes: ['projects:read', 'instances:read', 'deploy:use-case'],
            name: 'Production Deploy Key',
            description: 'CI',
          },
          dryRun: false,
          now: T1,
          judge: allow,
          audit,
        });
        expect(outcome.status).toBe('updated');
        if (outcome.status !== 'updated') return;
        expect(outcome.before).toEqual(key);
        expect(outcome.after).toEqual({
          ...key,
          name: 'Production Deploy Key',
          description: 'CI',
          scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
          updatedAt: T1,
        });
        expect(await store.getLiveKey(org.id, key.id, T1)).toMatchObject({ name: 'Production Deploy Key', updatedAt: T1 });
        const [row] = await store.listAudit({ organizationId: org.id, targetKeyId: key.id, limit: 1 });
        expect(row).toEqual({
          ...audit,
          id: expect.any(String),
          targetUserId: null,
          result: 'allowed',
          reason: null,
          before: { name: 'CI key', description: '', scopes: ['deploy:use-case', 'projects:read'] },
          after: {
            name: 'Production Deploy Key',
            description: 'CI',
            scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
          },
        });
      });

      it('leaves absent fields alone and clears the description with ""', async () => {
        const { org, key } = await setup();
        await store.updateKey({
          organizationId: org.id,
          keyId: key.id,
          change: { description: 'something' },
          dryRun: false,
          now: T1,
          judge: allow,
          audit: auditBase(org.id, key.id),
        });
        const out = await store.updateKey({
          organizationId: org.id,
          keyId: key.id,
          change: { description: '' },
          dryRun: false,
          now: T2,
          judge: allow,
          audit: auditBase(org.id, key.id),
        });
        expect(out.status === 'updated' && out.after).toMatchObject({ name: 'CI key', description: '', scopes: key.scopes });
      });

      it('adds and removes scopes with SQL statements', async () => {
        const { org, key } = await setup(['projects:read']);
        const run = (change: Parameters<Store['updateKey']>[0]['change']) =>
          store.updateKey({
            organizationId: org.id,
            keyId: key.id,
            change,
            dryRun: false,
            now: T1,
            judge: allow,
            audit: auditBase(org.id, key.id),
          });
        let out = await run({ addScopes: ['api-keys:manage', 'projects:read', 'deploy:use-case'] });
        expect(out.status === 'updated' && out.after.scopes).toEqual(['api-keys:manage', 'deploy:use-case', 'projects:read']);
        out = await run({ removeScopes: ['projects:read', 'skills:read'] });
        expect(out.status === 'updated' && out.after.scopes).toEqual(['api-keys:manage', 'deploy:use-case']);
        out = await run({ addScopes: ['skills:read'], removeScopes: ['deploy:use-case', 'skills:read'] });
        expect(out.status === 'updated' && out.after.scopes).toEqual(['api-keys:manage']);
      });

      it('50 concurrent add/remove calls on one key lose nothing', async () => {
        // The key starts with the last five scopes. 25 calls each add one of the first five,
        // 25 calls each remove one of the last five, all at once. Whatever order they commit
        // in, the end state is the first five: a read-modify-write in JavaScript would lose some.
        const { org, key } = await setup(SCOPES.slice(5) as Scope[]);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) => {
            const scope = SCOPES[i % 10] as Scope;
            return store.updateKey({
              organizationId: org.id,
              keyId: key.id,
              change: i % 10 < 5 ? { addScopes: [scope] } : { removeScopes: [scope] },
              dryRun: false,
              now: T1,
              judge: allow,
              audit: auditBase(org.id, key.id),
            });
          }),
        );
        expect(outcomes.every((o) => o.status === 'updated')).toBe(true);
        expect((await store.getLiveKey(org.id, key.id, T1))?.scopes).toEqual(canonicalScopes(SCOPES.slice(0, 5)));
        const audit = await store.listAudit({ organizationId: org.id, targetKeyId: key.id, limit: 1000 });
        expect(audit.filter((a) => a.action === 'key.update' && a.result === 'allowed')).toHaveLength(50);
      });

      it('50 concurrent adds of distinct scope sets all land', async () => {
        const { org, key } = await setup([]);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.updateKey({
              organizationId: org.id,
              keyId: key.id,
              change: { addScopes: [SCOPES[i % 10] as Scope] },
              dryRun: false,
              now: T1,
              judge: allow,
              audit: auditBase(org.id, key.id),
            }),
          ),
        );
        expect(outcomes.every((o) => o.status === 'updated')).toBe(true);
        expect((await store.getLiveKey(org.id, key.id, T1))?.scopes).toEqual(canonicalScopes(SCOPES));
      });

      it('a revocation racing 20 updates: updates queued behind it find no key, and every allowed row is one update', async () => {
        const { org, key } = await setup([]);
        const update = (i: number) =>
          store.updateKey({
            organizationId: org.id,
            keyId: key.id,
            change: { addScopes: [SCOPES[i % 10] as Scope] },
            dryRun: false,
            now: T1,
            judge: allow,
            audit: auditBase(org.id, key.id),
          });
        const results = await Promise.all([
          ...Array.from({ length: 10 }, (_, i) => update(i)),
          store.revokeKey({ organizationId: org.id, keyId: key.id, now: T1, audit: auditBase(org.id, key.id) }),
          ...Array.from({ length: 10 }, (_, i) => update(i + 10)),
        ]);
        const revoke = results[10];
        expect(revoke?.status).toBe('revoked');
        const updates = results.filter((_, i) => i !== 10);
        expect(updates.every((o) => o.status === 'updated' || o.status === 'not_found')).toBe(true);
        const updated = updates.filter((o) => o.status === 'updated').length;
        const audit = await store.listAudit({ organizationId: org.id, targetKeyId: key.id, limit: 1000 });
        expect(audit.filter((a) => a.result === 'allowed' && a.action === 'key.update')).toHaveLength(updated);
        expect(audit.filter((a) => a.result === 'allowed' && a.action === 'key.revoke')).toHaveLength(1);
        expect(audit.filter((a) => a.reason === 'KEY_NOT_FOUND')).toHaveLength(20 - updated);
        // The revoked key's scopes are exactly the updates that committed before the revocation.
        const stored = revoke?.status === 'revoked' ? revoke.key.scopes : [];
        expect(stored).toHaveLength(new Set(updates.flatMap((o, i) => (o.status === 'updated' ? [SCOPES[i % 10]] : []))).size);
      });

      it('a write whose audit row cannot be written is rolled back whole (create, update, revoke)', async () => {
        const { org, owner, key } = await setup();
        // biome-ignore lint/suspicious/noExplicitAny: deliberately break the audit row (request_id is NOT NULL)
        const broken = { requestId: null as any };
        const minted = mintOrgKey();
        await expect(
          store.createKey(
            {
              id: newId(),
              organizationId: org.id,
              createdByUserId: owner.id,
              name: 'x',
              description: '',
              scopes: ['projects:read'],
              prefix: minted.prefix,
              hash: minted.hash,
              createdAt: T1,
              expiresAt: null,
            },
            20,
            { ...createAudit(org.id, key.id, ['projects:read']), ...broken },
          ),
        ).rejects.toThrow();
        expect(await store.findAuthByHash(minted.hash)).toBeUndefined();
        await expect(
          store.updateKey({
            organizationId: org.id,
            keyId: key.id,
            change: { name: 'changed', removeScopes: ['projects:read'] },
            dryRun: false,
            now: T1,
            judge: allow,
            audit: { ...auditBase(org.id, key.id), ...broken },
          }),
        ).rejects.toThrow();
        await expect(
          store.revokeKey({ organizationId: org.id, keyId: key.id, now: T1, audit: { ...auditBase(org.id, key.id), ...broken } }),
        ).rejects.toThrow();
        expect(await store.getLiveKey(org.id, key.id, T1)).toEqual({ ...key, createdByEmail: 'owner@example.com' });
        expect(await store.listAudit({ organizationId: org.id, limit: 1000 })).toHaveLength(1);
      });

      it('the judge sees before and after; a denial rolls back the change and records a denied row', async () => {
        const { org, key } = await setup();
        const seen: unknown[] = [];
        const outcome = await store.updateKey({
          organizationId: org.id,
          keyId: key.id,
          change: { addScopes: ['api-keys:manage'], name: 'Escalated' },
          dryRun: false,
          now: T1,
          judge: (before, after) => {
            seen.push({ before, after });
            return { code: 'SCOPE_ESCALATION', details: { scopes: ['api-keys:manage'] } };
          },
          audit: auditBase(org.id, key.id),
        });
        const after = { name: 'Escalated', description: '', scopes: ['api-keys:manage', 'deploy:use-case', 'projects:read'] };
        expect(seen).toEqual([{ before: key, after }]);
        expect(outcome).toEqual({
          status: 'denied',
          denial: { code: 'SCOPE_ESCALATION', details: { scopes: ['api-keys:manage'] } },
          before: key,
          after,
        });
        expect(await store.getLiveKey(org.id, key.id, T1)).toEqual({ ...key, createdByEmail: 'owner@example.com' });
        const [row] = await store.listAudit({ organizationId: org.id, targetKeyId: key.id, limit: 1 });
        expect(row).toMatchObject({ result: 'denied', reason: 'SCOPE_ESCALATION', before: fieldsOnly(key), after });
      });

      it('dryRun answers the would-be key, changes nothing and records a dry_run row', async () => {
        const { org, key } = await setup();
        const outcome = await store.updateKey({
          organizationId: org.id,
          keyId: key.id,
          change: { scopes: ['skills:read'] },
          dryRun: true,
          now: T1,
          judge: allow,
          audit: auditBase(org.id, key.id),
        });
        expect(outcome).toEqual({ status: 'dry_run', before: key, after: { ...key, scopes: ['skills:read'], updatedAt: T1 } });
        expect(await store.getLiveKey(org.id, key.id, T1)).toEqual({ ...key, createdByEmail: 'owner@example.com' });
        const [row] = await store.listAudit({ organizationId: org.id, targetKeyId: key.id, limit: 1 });
        expect(row).toMatchObject({
          result: 'dry_run',
          reason: null,
          before: fieldsOnly(key),
          after: { ...fieldsOnly(key), scopes: ['skills:read'] },
        });
      });

      it('unknown, foreign, revoked and expired targets are not found, with a denied KEY_NOT_FOUND row; the judge is not asked', async () => {
        const { org, other, owner, key } = await setup();
        await store.setMembership({ organizationId: other.id, userId: owner.id, role: 'owner' });
        const foreign = await createdKey(store, other.id, owner.id);
        const revoked = await createdKey(store, org.id, owner.id);
        await store.revokeKey({
          organizationId: org.id,
          keyId: revoked.key.id,
          now: T0,
          audit: auditBase(org.id, revoked.key.id),
        });
        const expired = await createdKey(store, org.id, owner.id, { expiresAt: T1 });
        const judge: ChangeJudge = () => {
          throw new Error('judge must not be called');
        };
        for (const keyId of [newId(), foreign.key.id, revoked.key.id, expired.key.id]) {
          const out = await store.updateKey({
            organizationId: org.id,
            keyId,
            change: { name: 'x' },
            dryRun: false,
            now: T1,
            judge,
            audit: auditBase(org.id, keyId),
          });
          expect(out).toEqual({ status: 'not_found' });
          const [row] = await store.listAudit({ organizationId: org.id, targetKeyId: keyId, limit: 1 });
          expect(row).toMatchObject({
            action: 'key.update',
            result: 'denied',
            reason: 'KEY_NOT_FOUND',
            before: null,
            after: null,
          });
        }
        expect((await store.getLiveKey(other.id, foreign.key.id, T1))?.name).toBe('CI key');
        expect((await store.getLiveKey(org.id, key.id, T1))?.name).toBe('CI key');
      });

      it('an error thrown by the judge rolls back and propagates', async () => {
        const { org, key } = await setup();
        await expect(
          store.updateKey({
            organizationId: org.id,
            keyId: key.id,
            change: { name: 'boom' },
            dryRun: false,
            now: T1,
            judge: () => {
              throw new Error('boom');
            },
            audit: auditBase(org.id, key.id),
          }),
        ).rejects.toThrow('boom');
        expect((await store.getLiveKey(org.id, key.id, T1))?.name).toBe('CI key');
      });
    });

    describe('audit', () => {
      it('appendAudit and listAudit: newest first, filtered, limited', async () => {
        const { org, other } = await seed(store);
        const target = newId();
        for (const [i, at] of [T0, T2, T1].entries()) {
          await store.appendAudit({
            ...auditBase(org.id, i === 0 ? target : null, at),
            result: 'denied',
            reason: `R${i}`,
            before: null,
            after: null,
          });
        }
        await store.appendAudit({
          ...auditBase(other.id, target, T2),
          result: 'denied',
          reason: 'OTHER',
          before: null,
          after: null,
        });
        expect((await store.listAudit({ organizationId: org.id })).map((a) => a.reason)).toEqual(['R1', 'R2', 'R0']);
        expect((await store.listAudit({ organizationId: org.id, limit: 2 })).map((a) => a.reason)).toEqual(['R1', 'R2']);
        expect((await store.listAudit({ organizationId: org.id, targetKeyId: target })).map((a) => a.reason)).toEqual(['R0']);
      });
    });

    describe('inactive keys', () => {
      it('listInactiveKeys lists revoked and expired keys of that organization, newest first, limited', async () => {
        const { org, other, owner } = await seed(store);
        const live = await createdKey(store, org.id, owner.id, { name: 'live' });
        await createdKey(store, org.id, owner.id, { name: 'expired', expiresAt: T1, createdAt: T0 });
        const revoked = await createdKey(store, org.id, owner.id, { name: 'revoked', createdAt: T1 });
        await store.revokeKey({
          organizationId: org.id,
          keyId: revoked.key.id,
          now: T1,
          audit: auditBase(org.id, revoked.key.id),
        });
        await createdKey(store, other.id, owner.id, { name: 'other org', expiresAt: T1 });
        const listed = await store.listInactiveKeys(org.id, T2);
        expect(listed.map((k) => k.name)).toEqual(['revoked', 'expired']);
        expect(listed[0]).toMatchObject({ revokedAt: T1, createdByEmail: 'owner@example.com', scopes: ['projects:read'] });
        expect((await store.listInactiveKeys(org.id, T0)).map((k) => k.name)).toEqual(['revoked']);
        expect((await store.listInactiveKeys(org.id, T2, 1)).map((k) => k.name)).toEqual(['revoked']);
        expect((await store.listInactiveKeys(org.id, T2)).some((k) => k.id === live.key.id)).toBe(false);
      });
    });

    describe('dashboard sessions', () => {
      const session = (keyId: string, idHash = hashKey(newId()), expiresAt = T2) => ({
        idHash,
        keyId,
        createdAt: T0,
        expiresAt,
      });

      it('finds the auth record of a live session by its hash, exactly as findAuthByHash finds the key', async () => {
        const { org, owner } = await seed(store);
        const { key, rawKey } = await createdKey(store, org.id, owner.id, { scopes: ['projects:read', 'api-keys:manage'] });
        const input = session(key.id);
        await store.createSession(input);
        const viaSession = await store.findAuthBySession(input.idHash, T1);
        expect(viaSession).toEqual(await store.findAuthByHash(hashKey(rawKey)));
        expect(viaSession?.role).toBe('owner');
        expect(await store.findAuthBySession(hashKey('unknown'), T1)).toBeUndefined();
      });

      it('a session expires at expires_at', async () => {
        const { org, owner } = await seed(store);
        const { key } = await createdKey(store, org.id, owner.id);
        const input = session(key.id, hashKey('s'), T1);
        await store.createSession(input);
        expect(await store.findAuthBySession(input.idHash, T0)).toBeDefined();
        expect(await store.findAuthBySession(input.idHash, T1)).toBeUndefined();
        expect(await store.findAuthBySession(input.idHash, T2)).toBeUndefined();
      });

      it('returns the key revoked and the role as it is now, for the caller to judge', async () => {
        const { org, owner } = await seed(store);
        const { key } = await createdKey(store, org.id, owner.id);
        const input = session(key.id);
        await store.createSession(input);
        await store.setMembership({ organizationId: org.id, userId: owner.id, role: 'member' });
        expect((await store.findAuthBySession(input.idHash, T1))?.role).toBe('member');
        await store.removeMembership(org.id, owner.id);
        expect((await store.findAuthBySession(input.idHash, T1))?.role).toBeNull();
        await store.revokeKey({ organizationId: org.id, keyId: key.id, now: T1, audit: auditBase(org.id, key.id) });
        expect((await store.findAuthBySession(input.idHash, T1))?.key.revokedAt).toBe(T1);
      });

      it('deleteSession ends one session; deleteExpiredSessions sweeps only expired ones', async () => {
        const { org, owner } = await seed(store);
        const { key } = await createdKey(store, org.id, owner.id);
        const a = session(key.id, hashKey('a'), T1);
        const b = session(key.id, hashKey('b'), T2);
        const c = session(key.id, hashKey('c'), T2);
        for (const s of [a, b, c]) await store.createSession(s);
        expect(await store.deleteSession(b.idHash)).toBe(true);
        expect(await store.deleteSession(b.idHash)).toBe(false);
        expect(await store.findAuthBySession(b.idHash, T0)).toBeUndefined();
        expect(await store.deleteExpiredSessions(T1)).toBe(1);
        expect(await store.findAuthBySession(c.idHash, T0)).toBeDefined();
        expect(await store.deleteExpiredSessions(T1)).toBe(0);
      });

      const userSession = (userId: string, organizationId: string | null, idHash = hashKey(newId()), expiresAt = T2) => ({
        idHash,
        userId,
        organizationId,
        createdAt: T0,
        expiresAt,
      });

      it("a person's session finds the user, the organization and the role as it is now; never a key's auth record", async () => {
        const { org, other, owner } = await seed(store);
        const input = userSession(owner.id, org.id);
        await store.createSession(input);
        expect(await store.findAuthBySession(input.idHash, T1)).toBeUndefined();
        expect(await store.findUserBySession(input.idHash, T1)).toEqual({
          user: { id: owner.id, email: 'owner@example.com', createdAt: T0 },
          organization: { id: org.id, name: 'Acme Corp', createdAt: T0 },
          role: 'owner',
        });
        await store.setMembership({ organizationId: org.id, userId: owner.id, role: 'member' });
        expect((await store.findUserBySession(input.idHash, T1))?.role).toBe('member');
        await store.removeMembership(org.id, owner.id);
        expect((await store.findUserBySession(input.idHash, T1))?.role).toBeNull();
        // Expiry, and a key's session is not a person's.
        expect(await store.findUserBySession(input.idHash, T2)).toBeUndefined();
        const { key } = await createdKey(store, other.id, owner.id);
        const keySession = session(key.id);
        await store.createSession(keySession);
        expect(await store.findUserBySession(keySession.idHash, T1)).toBeUndefined();
      });

      it("a person's session without an organization gets one chosen; a key's session cannot be given one", async () => {
        const { org, owner } = await seed(store);
        const input = userSession(owner.id, null);
        await store.createSession(input);
        expect(await store.findUserBySession(input.idHash, T1)).toMatchObject({ organization: null, role: null });
        expect(await store.setSessionOrganization(input.idHash, org.id, T1)).toBe(true);
        expect(await store.findUserBySession(input.idHash, T1)).toMatchObject({ organization: { id: org.id }, role: 'owner' });
        expect(await store.setSessionOrganization(input.idHash, org.id, T2)).toBe(false);
        const { key } = await createdKey(store, org.id, owner.id);
        const keySession = session(key.id);
        await store.createSession(keySession);
        expect(await store.setSessionOrganization(keySession.idHash, org.id, T1)).toBe(false);
        expect(await store.findAuthBySession(keySession.idHash, T1)).toBeDefined();
        await expect(store.setSessionOrganization(input.idHash, newId(), T1)).rejects.toThrow();
      });

      it("refuses a person's session of an unknown user; deleteSession and the sweep take both kinds", async () => {
        const { org, owner } = await seed(store);
        await expect(store.createSession(userSession(newId(), org.id))).rejects.toThrow();
        const a = userSession(owner.id, org.id, hashKey('ua'), T1);
        const b = userSession(owner.id, org.id, hashKey('ub'), T2);
        for (const x of [a, b]) await store.createSession(x);
        expect(await store.deleteExpiredSessions(T1)).toBe(1);
        expect(await store.deleteSession(b.idHash)).toBe(true);
        expect(await store.findUserBySession(b.idHash, T0)).toBeUndefined();
      });

      it('refuses a session of a key that does not exist and a duplicate id hash', async () => {
        const { org, owner } = await seed(store);
        const { key } = await createdKey(store, org.id, owner.id);
        await expect(store.createSession(session(newId()))).rejects.toThrow();
        const input = session(key.id);
        await store.createSession(input);
        await expect(store.createSession(input)).rejects.toThrow();
      });
    });
  });
}

function fieldsOnly(key: { name: string; description: string; scopes: Scope[] }) {
  return { name: key.name, description: key.description, scopes: key.scopes };
}

describe('SQLite specifics', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codika-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the parent directory (0700) and the file (0600), sets the pragmas, and keeps data across reopen', async () => {
    const file = join(dir, 'nested', 'deeper', 'codika.db');
    const store = await openStore({ sqliteFile: file });
    await store.migrate();
    expect(statSync(join(dir, 'nested', 'deeper')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(`${file}-wal`).mode & 0o777).toBe(0o600);
    // biome-ignore lint/complexity/useLiteralKeys: reaching into the private Kysely instance for the test
    const db = (store as SqlStore)['db'];
    const pragma = async (name: string) => Object.values((await sql.raw(`PRAGMA ${name}`).execute(db)).rows[0] as object)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2);
    expect(await pragma('foreign_keys')).toBe(1);
    // SQLite's own busy wait is off: it would wait on the event loop (sqlite.ts waits instead).
    expect(await pragma('busy_timeout')).toBe(0);

    const org = await store.createOrganization({ id: newId(), name: 'Kept', createdAt: T0 });
    const owner = await store.ensureUser({ id: newId(), email: 'o@example.com', createdAt: T0 });
    await store.setMembership({ organizationId: org.id, userId: owner.id, role: 'owner' });
    const { rawKey } = await createdKey(store, org.id, owner.id, { scopes: ['projects:read', 'deploy:use-case'] });
    await store.close();

    const reopened = await openStore({ sqliteFile: file });
    await reopened.migrate();
    expect(await reopened.isEmpty()).toBe(false);
    const auth = await reopened.findAuthByHash(hashKey(rawKey));
    expect(auth?.organization.name).toBe('Kept');
    expect(auth?.key.scopes).toEqual(['deploy:use-case', 'projects:read']);
    await reopened.close();
  });

  it('the audit log refuses UPDATE and DELETE', async () => {
    const store = await openStore({ sqliteFile: ':memory:' });
    await store.migrate();
    const { org } = await seed(store);
    await store.appendAudit({ ...auditBase(org.id, null), result: 'denied', reason: 'X', before: null, after: null });
    // biome-ignore lint/complexity/useLiteralKeys: reaching into the private Kysely instance for the test
    const db = (store as SqlStore)['db'];
    await expect(db.updateTable('audit_log').set({ reason: 'Y' }).execute()).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    expect((await store.listAudit({ organizationId: org.id }))[0]?.reason).toBe('X');
    await store.close();
  });

  it('foreign keys are enforced', async () => {
    const store = await openStore({ sqliteFile: ':memory:' });
    await store.migrate();
    await expect(store.setMembership({ organizationId: newId(), userId: newId(), role: 'member' })).rejects.toThrow(
      /FOREIGN KEY/,
    );
    await store.close();
  });
});
