import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { runAuthzMatrix, runRoleGrid } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey, withoutRequestId } from '../test-support/http.js';

const PATH = '/getorganizationapikeypublic';

describe('POST /getorganizationapikeypublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'key',
    scope: 'api-keys:manage',
    audited: false,
    mutates: false,
    body: ({ keyId }) => ({ keyId }),
  });
});

describe('POST /getorganizationapikeypublic — role grid (callers × the creator of the key)', () => {
  runRoleGrid({
    path: PATH,
    kind: 'key',
    audited: false,
    body: ({ keyId }) => ({ keyId }),
    applied: async () => true,
  });
});

describe('POST /getorganizationapikeypublic', () => {
  it('answers one key without its raw form or hash', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, { keyId: t.keys.target.id }, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      keyId: t.keys.target.id,
      name: 'CI Deploy Key',
      description: 'Used by CI',
      keyPrefix: t.keys.target.raw.slice(0, 8),
      scopes: ['deploy:use-case', 'projects:read'],
      createdAt: '2026-03-31T14:00:00.000Z',
      updatedAt: '2026-03-31T14:00:00.000Z',
      createdBy: { userId: t.users.owner.id, email: 'owner@acme.test' },
      enabled: true,
    });
    expect(res.text).not.toContain(t.keys.target.raw);
    await t.close();
  });

  it('answers the same 404 for another organization’s key, a revoked key, an expired key and an unknown id', async () => {
    const t = await createTestApp();
    const expired = await seedKey(t.store, t.orgA.id, t.users.owner.id, {
      createdAt: '2026-03-01T00:00:00.000Z',
      expiresAt: '2026-03-02T00:00:00.000Z',
    });
    const texts = new Set<string>();
    for (const keyId of [t.keys.otherTarget.id, t.keys.revoked.id, expired.id, newId()]) {
      const res = await t.call(PATH, { keyId }, { key: t.keys.owner.raw });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'KEY_NOT_FOUND', message: 'API key not found' });
      texts.add(withoutRequestId(res.text));
    }
    expect(texts.size).toBe(1);
    await t.close();
  });

  it("answers an admin 403 ROLE_HIERARCHY for an owner's key (the list still shows it), 404 as ever for other ids", async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, { keyId: t.keys.target.id }, { key: t.keys.admin.raw });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ROLE_HIERARCHY');
    expect(res.text).not.toContain('CI Deploy Key');
    const list = await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.admin.raw });
    expect(list.body.data.keys.map((k: { keyId: string }) => k.keyId)).toContain(t.keys.target.id);
    for (const keyId of [t.keys.otherTarget.id, t.keys.revoked.id, newId()]) {
      expect((await t.call(PATH, { keyId }, { key: t.keys.admin.raw })).body.error.code).toBe('KEY_NOT_FOUND');
    }
    await t.close();
  });

  it('requires keyId and refuses unknown fields', async () => {
    const t = await createTestApp();
    let res = await t.call(PATH, {}, { key: t.keys.owner.raw });
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { keyId: expect.any(String) } });
    res = await t.call(PATH, { keyId: t.keys.target.id, withHash: true }, { key: t.keys.owner.raw });
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { withHash: 'unknown field' } });
    await t.close();
  });
});
