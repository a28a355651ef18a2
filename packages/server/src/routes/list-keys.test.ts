import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, rawKeysOf, seedKey, withoutRequestId } from '../test-support/http.js';

const PATH = '/listorganizationapikeyspublic';

describe('POST /listorganizationapikeyspublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'organization',
    scope: 'api-keys:manage',
    audited: false,
    mutates: false,
    body: ({ organizationId }) => ({ organizationId }),
  });
});

describe('POST /listorganizationapikeyspublic', () => {
  it("lists the live keys of the caller's organization by default, never a raw key or hash", async () => {
    const t = await createTestApp();
    const expiring = await seedKey(t.store, t.orgA.id, t.users.admin.id, {
      name: 'expiring',
      expiresAt: '2026-05-01T00:00:00.000Z',
    });
    await t.call('/verifyapikey', {}, { key: t.keys.target.raw });
    const res = await t.call(PATH, undefined, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    const keys = res.body.data.keys as Record<string, unknown>[];
    expect(keys.map((k) => k.keyId).sort()).toEqual(
      [t.keys.owner, t.keys.admin, t.keys.member, t.keys.lacking, t.keys.target, expiring].map((k) => k.id).sort(),
    );
    const target = keys.find((k) => k.keyId === t.keys.target.id);
    expect(target).toEqual({
      keyId: t.keys.target.id,
      name: 'CI Deploy Key',
      description: 'Used by CI',
      keyPrefix: t.keys.target.raw.slice(0, 8),
      scopes: ['deploy:use-case', 'projects:read'],
      createdAt: '2026-03-31T14:00:00.000Z',
      updatedAt: '2026-03-31T14:00:00.000Z',
      lastUsedAt: '2026-03-31T14:00:00.000Z',
      lastUsedIp: '127.0.0.1',
      createdBy: { userId: t.users.owner.id, email: 'owner@acme.test' },
      enabled: true,
    });
    expect(keys.find((k) => k.keyId === expiring.id)).toMatchObject({ expiresAt: '2026-05-01T00:00:00.000Z' });
    expect(keys.find((k) => k.keyId === t.keys.admin.id)).not.toHaveProperty('expiresAt');
    for (const raw of rawKeysOf(t)) expect(res.text).not.toContain(raw);
    expect(res.text).not.toMatch(/hash/i);
    await t.close();
  });

  it('accepts its own organization id and answers the same 404 for another existing one and an unknown one', async () => {
    const t = await createTestApp();
    expect((await t.call(PATH, { organizationId: t.orgA.id }, { key: t.keys.owner.raw })).status).toBe(200);
    const a = await t.call(PATH, { organizationId: t.orgB.id }, { key: t.keys.owner.raw });
    const b = await t.call(PATH, { organizationId: newId() }, { key: t.keys.owner.raw });
    expect(a.status).toBe(404);
    expect(a.body.error).toEqual({ code: 'ORGANIZATION_NOT_FOUND', message: 'Organization not found' });
    expect(withoutRequestId(a.text)).toBe(withoutRequestId(b.text));
    await t.close();
  });

  it('refuses unknown fields and does not audit reads', async () => {
    const t = await createTestApp();
    const before = (await t.audit()).length;
    const res = await t.call(PATH, { organizationId: t.orgA.id, all: true }, { key: t.keys.owner.raw });
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { all: 'unknown field' } });
    expect((await t.audit()).length).toBe(before);
    await t.close();
  });
});

describe('POST /listorganizationapikeyspublic with filters', () => {
  const DAY_MS = 24 * 60 * 60 * 1000;
  const at = (t: { clock: { now(): Date } }, days: number) => new Date(t.clock.now().getTime() + days * DAY_MS).toISOString();
  const idsOf = (res: { body: { data: { keys: { keyId: string }[] } } }) => res.body.data.keys.map((k) => k.keyId);

  it('state: live (the default), revoked (with revokedAt) and expired', async () => {
    const t = await createTestApp();
    const key = t.keys.owner.raw;
    const plain = await t.call(PATH, {}, { key });
    const live = await t.call(PATH, { state: 'live' }, { key });
    expect(idsOf(live)).toEqual(idsOf(plain));
    const revoked = await t.call(PATH, { state: 'revoked' }, { key });
    expect(revoked.body.data.keys).toEqual([
      expect.objectContaining({ keyId: t.keys.revoked.id, revokedAt: '2026-03-31T14:00:00.000Z' }),
    ]);
    expect(idsOf(await t.call(PATH, { state: 'expired' }, { key }))).toEqual([t.keys.expired.id]);
    expect(plain.body.data.keys.some((k: Record<string, unknown>) => 'revokedAt' in k)).toBe(false);
    // Another organization's revoked keys never show.
    expect(idsOf(await t.call(PATH, { state: 'revoked' }, { key: t.keys.other.raw }))).toEqual([]);
    await t.close();
  });

  it('state: disabled lists the live keys switched off (they stay in the live list, marked enabled: false)', async () => {
    const t = await createTestApp();
    const key = t.keys.owner.raw;
    expect(idsOf(await t.call(PATH, { state: 'disabled' }, { key }))).toEqual([]);
    const off = await t.call('/updateorganizationapikeypublic', { keyId: t.keys.target.id, enabled: false }, { key });
    expect(off.status).toBe(200);
    const disabled = await t.call(PATH, { state: 'disabled' }, { key });
    expect(disabled.body.data.keys).toEqual([expect.objectContaining({ keyId: t.keys.target.id, enabled: false })]);
    const live = await t.call(PATH, {}, { key });
    expect(idsOf(live)).toContain(t.keys.target.id);
    await t.close();
  });

  it('unusedSince: keys with no use since then; a key created after it is not "unused since"', async () => {
    const t = await createTestApp();
    const key = t.keys.owner.raw;
    // Day 0: the target is used. Day 40: a new key is created; the owner key is used (by this listing).
    await t.call('/verifyapikey', {}, { key: t.keys.target.raw });
    t.clock.advance(40 * DAY_MS);
    const fresh = await seedKey(t.store, t.orgA.id, t.users.owner.id, { name: 'fresh', createdAt: at(t, 0) });
    await t.call('/verifyapikey', {}, { key: t.keys.admin.raw });
    const res = await t.call(PATH, { unusedSince: at(t, -30) }, { key });
    const ids = idsOf(res);
    expect(ids).toContain(t.keys.target.id); // used 40 days ago
    expect(ids).toContain(t.keys.member.id); // never used, created 40 days ago
    expect(ids).not.toContain(t.keys.admin.id); // used just now
    expect(ids).not.toContain(fresh.id); // created since
    expect(ids).not.toContain(t.keys.revoked.id); // live only by default
    await t.close();
  });

  it('expiresBefore: live keys expiring before then, soonest decided by the sort', async () => {
    const t = await createTestApp();
    const key = t.keys.owner.raw;
    const soon = await seedKey(t.store, t.orgA.id, t.users.owner.id, { name: 'soon', expiresAt: at(t, 5) });
    const later = await seedKey(t.store, t.orgA.id, t.users.owner.id, { name: 'later', expiresAt: at(t, 20) });
    expect(idsOf(await t.call(PATH, { expiresBefore: at(t, 7) }, { key }))).toEqual([soon.id]);
    expect(idsOf(await t.call(PATH, { expiresBefore: at(t, 30) }, { key })).sort()).toEqual([soon.id, later.id].sort());
    // The expired key is not "expiring": it is in state expired.
    expect(idsOf(await t.call(PATH, { expiresBefore: at(t, 30), state: 'expired' }, { key }))).toEqual([t.keys.expired.id]);
    await t.close();
  });

  it('sort: name (case-insensitive), last-used (never used first, then the stalest), created', async () => {
    const t = await createTestApp();
    const key = t.keys.owner.raw;
    const names = (res: { body: { data: { keys: { name: string }[] } } }) => res.body.data.keys.map((k) => k.name);
    const byName = names(await t.call(PATH, { sort: 'name' }, { key }));
    expect(byName).toEqual([...byName].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(byName).not.toEqual(names(await t.call(PATH, {}, { key })));

    await t.call('/verifyapikey', {}, { key: t.keys.admin.raw });
    t.clock.advance(DAY_MS);
    await t.call('/verifyapikey', {}, { key: t.keys.target.raw });
    t.clock.advance(DAY_MS);
    const byUse = (await t.call(PATH, { sort: 'last-used' }, { key })).body.data.keys as {
      keyId: string;
      lastUsedAt?: string;
    }[];
    const used = byUse.filter((k) => k.lastUsedAt !== undefined);
    expect(byUse.slice(0, byUse.length - used.length).every((k) => k.lastUsedAt === undefined)).toBe(true);
    expect(used.map((k) => k.keyId)).toEqual([t.keys.admin.id, t.keys.target.id, t.keys.owner.id]);
    expect(idsOf(await t.call(PATH, { sort: 'created' }, { key }))).toEqual(idsOf(await t.call(PATH, {}, { key })));
    await t.close();
  });

  it('refuses unknown states, sorts and malformed times', async () => {
    const t = await createTestApp();
    for (const body of [{ state: 'disabled ' }, { sort: 'size' }, { unusedSince: '30d' }, { expiresBefore: 7 }]) {
      const res = await t.call(PATH, body, { key: t.keys.owner.raw });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    await t.close();
  });
});
