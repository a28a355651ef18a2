import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { runAuthzMatrix, runRoleGrid } from '../test-support/authz-matrix.js';
import { createTestApp, snapshotKeys, withoutRequestId } from '../test-support/http.js';

const PATH = '/revokeorganizationapikeypublic';

describe('POST /revokeorganizationapikeypublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'key',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    body: ({ keyId }) => ({ keyId }),
  });
});

describe('POST /revokeorganizationapikeypublic — role grid (callers × the creator of the key)', () => {
  runRoleGrid({
    path: PATH,
    kind: 'key',
    audited: true,
    body: ({ keyId }) => ({ keyId }),
    applied: async (t, target) => (await t.record(target.key)).revokedAt !== null,
  });
});

describe('POST /revokeorganizationapikeypublic', () => {
  it('revokes a key; it stops authenticating at once and leaves the list', async () => {
    const t = await createTestApp();
    expect((await t.call('/verifyapikey', {}, { key: t.keys.target.raw })).status).toBe(200);
    t.clock.set('2026-03-31T16:00:00.000Z');
    const res = await t.call(PATH, { keyId: t.keys.target.id }, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ keyId: t.keys.target.id, revokedAt: '2026-03-31T16:00:00.000Z' });
    const after = await t.call('/verifyapikey', {}, { key: t.keys.target.raw });
    expect(after.status).toBe(401);
    const list = await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.owner.raw });
    expect(list.body.data.keys.map((k: { keyId: string }) => k.keyId)).not.toContain(t.keys.target.id);
    await t.close();
  });

  it('answers the same 404 for a second revocation, another organization’s key and an unknown id, changing nothing', async () => {
    const t = await createTestApp();
    await t.call(PATH, { keyId: t.keys.target.id }, { key: t.keys.owner.raw });
    const before = await snapshotKeys(t);
    const texts = new Set<string>();
    for (const keyId of [t.keys.target.id, t.keys.otherTarget.id, t.keys.revoked.id, newId()]) {
      const res = await t.call(PATH, { keyId }, { key: t.keys.owner.raw });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'KEY_NOT_FOUND', message: 'API key not found' });
      texts.add(withoutRequestId(res.text));
    }
    expect(texts.size).toBe(1);
    expect(await snapshotKeys(t)).toEqual(before);
    await t.close();
  });

  it("refuses an admin an owner's key with 403 ROLE_HIERARCHY once found, and records the refusal", async () => {
    const t = await createTestApp();
    const before = await snapshotKeys(t);
    const res = await t.call(PATH, { keyId: t.keys.owner.id }, { key: t.keys.admin.raw });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ROLE_HIERARCHY');
    expect(await snapshotKeys(t)).toEqual(before);
    expect((await t.call('/verifyapikey', {}, { key: t.keys.owner.raw })).status).toBe(200);
    expect((await t.audit()).at(-1)).toMatchObject({
      action: 'key.revoke',
      result: 'denied',
      reason: 'ROLE_HIERARCHY',
      requestId: res.body.requestId,
      actorKeyId: t.keys.admin.id,
      targetKeyId: t.keys.owner.id,
      before: { name: 'Owner key' },
    });
    // The admin's own key and a member's key are the admin's to revoke.
    expect((await t.call(PATH, { keyId: t.keys.member.id }, { key: t.keys.admin.raw })).status).toBe(200);
    expect((await t.call(PATH, { keyId: t.keys.admin.id }, { key: t.keys.admin.raw })).status).toBe(200);
    await t.close();
  });

  it('writes one audit row per attempt', async () => {
    const t = await createTestApp();
    const count = async () => (await t.audit()).length;
    let before = await count();
    const ok = await t.call(PATH, { keyId: t.keys.target.id }, { key: t.keys.owner.raw });
    expect(await count()).toBe(before + 1);
    expect((await t.audit()).at(-1)).toMatchObject({
      action: 'key.revoke',
      result: 'allowed',
      requestId: ok.body.requestId,
      actorKeyId: t.keys.owner.id,
      targetKeyId: t.keys.target.id,
    });
    for (const [body, key, code] of [
      [{ keyId: t.keys.admin.id }, t.keys.member.raw, 'NOT_ORG_ADMIN'],
      [{ keyId: t.keys.admin.id }, t.keys.lacking.raw, 'INSUFFICIENT_SCOPE'],
      [{ keyId: t.keys.admin.id, reason: 'x' }, t.keys.owner.raw, 'VALIDATION_ERROR'],
      [{ keyId: t.keys.target.id }, t.keys.owner.raw, 'KEY_NOT_FOUND'],
    ] as const) {
      before = await count();
      const res = await t.call(PATH, body, { key });
      expect(res.body.error.code).toBe(code);
      expect(await count()).toBe(before + 1);
      expect((await t.audit()).at(-1)).toMatchObject({ action: 'key.revoke', result: 'denied', reason: code });
    }
    await t.close();
  });

  it('lets a key revoke itself', async () => {
    const t = await createTestApp();
    expect((await t.call(PATH, { keyId: t.keys.admin.id }, { key: t.keys.admin.raw })).status).toBe(200);
    expect((await t.call('/verifyapikey', {}, { key: t.keys.admin.raw })).status).toBe(401);
    await t.close();
  });
});
