/**
 * The auth cache never answers with rows older than the database: every write, by this
 * store or by another connection on the same file (another server process), is seen by
 * the very next lookup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { mintOrgKey } from '../secrets.js';
import { AuthCache } from './auth-cache.js';
import { openStore } from './index.js';
import type { AuditEntryInput, AuthRecord, Store } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T15:00:00.000Z';

function audit(organizationId: string, targetKeyId: string, action: AuditEntryInput['action']) {
  return {
    at: T1,
    requestId: newId(),
    action,
    actorKeyId: null,
    actorUserId: null,
    organizationId,
    targetKeyId,
    sourceIp: null,
    userAgent: null,
  };
}

async function seedKey(store: Store) {
  const org = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
  const user = await store.ensureUser({ id: newId(), email: 'owner@example.com', createdAt: T0 });
  await store.setMembership({ organizationId: org.id, userId: user.id, role: 'owner' });
  const minted = mintOrgKey();
  const id = newId();
  const outcome = await store.createKey(
    {
      id,
      organizationId: org.id,
      createdByUserId: user.id,
      name: 'k',
      description: '',
      scopes: ['projects:read'],
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: T0,
      expiresAt: null,
    },
    20,
    audit(org.id, id, 'key.create'),
  );
  if (outcome.status !== 'created') throw new Error('expected created');
  return { org, user, keyId: id, hash: minted.hash };
}

describe('auth cache on SQLite', () => {
  let dir: string;
  let a: Store;
  let b: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codika-auth-cache-'));
    const file = join(dir, 'codika.db');
    a = await openStore({ sqliteFile: file });
    await a.migrate();
    b = await openStore({ sqliteFile: file });
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees a revocation by another connection at the next lookup', async () => {
    const { org, keyId, hash } = await seedKey(a);
    expect((await a.findAuthByHash(hash))?.key.revokedAt).toBeNull();
    expect((await a.findAuthByHash(hash))?.key.revokedAt).toBeNull();
    await b.revokeKey({ organizationId: org.id, keyId, now: T1, audit: audit(org.id, keyId, 'key.revoke') });
    expect((await a.findAuthByHash(hash))?.key.revokedAt).toBe(T1);
  });

  it('sees a removed membership and a scope change by another connection', async () => {
    const { org, user, keyId, hash } = await seedKey(a);
    expect((await a.findAuthByHash(hash))?.role).toBe('owner');
    await b.updateKey({
      organizationId: org.id,
      keyId,
      change: { scopes: ['instances:read'] },
      dryRun: false,
      now: T1,
      judge: () => null,
      audit: audit(org.id, keyId, 'key.update'),
    });
    expect((await a.findAuthByHash(hash))?.key.scopes).toEqual(['instances:read']);
    await b.removeMembership(org.id, user.id);
    expect((await a.findAuthByHash(hash))?.role).toBeNull();
  });

  it('sees its own writes, and hands out copies callers may change', async () => {
    const { org, keyId, hash } = await seedKey(a);
    const first = (await a.findAuthByHash(hash)) as AuthRecord;
    first.key.lastUsedAt = 'changed by the caller';
    first.key.scopes.push('skills:read');
    expect((await a.findAuthByHash(hash))?.key).toMatchObject({ lastUsedAt: null, scopes: ['projects:read'] });
    await a.touchLastUsed(keyId, T1, T0);
    expect((await a.findAuthByHash(hash))?.key.lastUsedAt).toBe(T1);
    await a.revokeKey({ organizationId: org.id, keyId, now: T1, audit: audit(org.id, keyId, 'key.revoke') });
    expect((await a.findAuthByHash(hash))?.key.revokedAt).toBe(T1);
  });

  it('does not keep unknown hashes', async () => {
    expect(await a.findAuthByHash('0'.repeat(64))).toBeUndefined();
  });
});

describe('AuthCache', () => {
  const record: AuthRecord = {
    key: {
      id: 'k',
      organizationId: 'o',
      createdByUserId: 'u',
      name: 'k',
      description: '',
      scopes: ['projects:read'],
      prefix: 'cko_abcd',
      createdAt: T0,
      updatedAt: T0,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      lastUsedIp: null,
      previousSecretExpiresAt: null,
      disabledAt: null,
      allowedIps: ['10.0.0.0/8'],
    },
    organization: { id: 'o', name: 'O', createdAt: T0 },
    user: { id: 'u', email: 'u@example.com', createdAt: T0 },
    role: 'owner',
    secret: 'current',
  };

  it('answers only under the token the record was read with', () => {
    const cache = new AuthCache();
    expect(cache.get('h', 't1')).toBeUndefined();
    cache.set('h', 't1', record);
    expect(cache.get('h', 't1')).toEqual(record);
    expect(cache.get('h', 't2')).toBeUndefined();
    expect(cache.get('h', 't1')).toBeUndefined();
  });

  it('ignores a record read under a token older than the latest seen', () => {
    const cache = new AuthCache();
    cache.get('h', 't1');
    cache.get('h', 't2');
    cache.set('h', 't1', record);
    expect(cache.get('h', 't2')).toBeUndefined();
  });

  it('is bounded', () => {
    const cache = new AuthCache(2);
    cache.get('x', 't');
    cache.set('a', 't', record);
    cache.set('b', 't', record);
    cache.set('c', 't', record);
    expect(cache.get('a', 't')).toBeUndefined();
    expect(cache.get('c', 't')).toEqual(record);
  });
});
