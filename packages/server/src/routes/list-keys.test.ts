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
