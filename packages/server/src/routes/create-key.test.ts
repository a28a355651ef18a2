import { parseKey } from '@codika/contract/keys';
import { SCOPES } from '@codika/contract/scopes';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey } from '../secrets.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey, snapshotKeys, withoutRequestId } from '../test-support/http.js';

const PATH = '/createorganizationapikeypublic';

describe('POST /createorganizationapikeypublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'organization',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    body: ({ organizationId }) => ({ organizationId, name: 'Matrix key', scopes: ['projects:read'] }),
  });
});

describe('POST /createorganizationapikeypublic', () => {
  it('stores names and descriptions in NFC, refuses bidi controls and lone surrogates naming the field', async () => {
    const t = await createTestApp();
    const res = await t.call(
      PATH,
      { organizationId: t.orgA.id, name: 'Cafe\u0301 key', description: 'de\u0301ploy', scopes: ['projects:read'] },
      { key: t.keys.admin.raw },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ name: 'Caf\u00e9 key', description: 'd\u00e9ploy' });
    const stored = await t.store.getLiveKey(t.orgA.id, res.body.data.keyId, new Date().toISOString());
    expect(stored).toMatchObject({ name: 'Caf\u00e9 key', description: 'd\u00e9ploy' });
    for (const [field, value] of [
      ['name', 'evil\u202egnp.exe'],
      ['name', 'a\ud800'],
      ['description', 'zero\u200bwidth'],
    ] as const) {
      const refused = await t.call(
        PATH,
        { organizationId: t.orgA.id, name: 'ok', scopes: ['projects:read'], [field]: value },
        { key: t.keys.admin.raw },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_ERROR');
      expect(Object.keys(refused.body.error.details)).toEqual([field]);
    }
    await t.close();
  });

  it('creates a key and answers the raw key once', async () => {
    const t = await createTestApp();
    const res = await t.call(
      PATH,
      {
        organizationId: t.orgA.id,
        name: 'CI Deploy Key',
        scopes: ['projects:read', 'deploy:use-case', 'projects:read'],
        description: 'ci',
      },
      { key: t.keys.admin.raw },
    );
    expect(res.status).toBe(200);
    const { data } = res.body;
    expect(data).toEqual({
      keyId: expect.any(String),
      apiKey: expect.any(String),
      keyPrefix: data.apiKey.slice(0, 8),
      name: 'CI Deploy Key',
      description: 'ci',
      scopes: ['deploy:use-case', 'projects:read'],
      createdAt: '2026-03-31T14:00:00.000Z',
    });
    expect(parseKey(data.apiKey)).toMatchObject({ ok: true, kind: 'cko_' });

    // The new key authenticates, belongs to the caller's user, and is never shown again.
    const auth = await t.store.findAuthByHash(hashKey(data.apiKey));
    expect(auth?.key).toMatchObject({ id: data.keyId, organizationId: t.orgA.id, createdByUserId: t.users.admin.id });
    const who = await t.call('/verifyapikey', {}, { key: data.apiKey });
    expect(who.body.data).toMatchObject({ keyId: data.keyId, scopes: ['deploy:use-case', 'projects:read'] });
    const list = await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.owner.raw });
    expect(list.text).not.toContain(data.apiKey);
    expect(list.body.data.keys.find((k: { keyId: string }) => k.keyId === data.keyId).description).toBe('ci');
    await t.close();
  });

  it('sets expiresAt from expiresInDays, and the key stops working then', async () => {
    const t = await createTestApp();
    const res = await t.call(
      PATH,
      { organizationId: t.orgA.id, name: 'short', scopes: ['projects:read'], expiresInDays: 7 },
      { key: t.keys.owner.raw },
    );
    expect(res.body.data.expiresAt).toBe('2026-04-07T14:00:00.000Z');
    expect(res.body.data.description).toBe('');
    t.clock.set('2026-04-07T14:00:00.000Z');
    expect((await t.call('/verifyapikey', {}, { key: res.body.data.apiKey })).status).toBe(401);
    for (const expiresInDays of [0, 366, 1.5]) {
      const r = await t.call(
        PATH,
        { organizationId: t.orgA.id, name: 'x', scopes: ['projects:read'], expiresInDays },
        { key: t.keys.owner.raw },
      );
      expect(r.body.error.code).toBe('VALIDATION_ERROR');
      expect(r.body.error.details).toHaveProperty('expiresInDays');
    }
    await t.close();
  });

  it('refuses to grant scopes the calling key does not hold', async () => {
    const t = await createTestApp();
    const limited = await seedKey(t.store, t.orgA.id, t.users.owner.id, { scopes: ['api-keys:manage', 'projects:read'] });
    const before = await snapshotKeys(t);
    const res = await t.call(
      PATH,
      { organizationId: t.orgA.id, name: 'x', scopes: ['projects:read', 'deploy:use-case', 'skills:read'] },
      { key: limited.raw },
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'SCOPE_ESCALATION', details: { notHeld: ['deploy:use-case', 'skills:read'] } });
    expect(await snapshotKeys(t)).toEqual(before);
    expect((await t.audit()).at(-1)).toMatchObject({ action: 'key.create', result: 'denied', reason: 'SCOPE_ESCALATION' });
    const ok = await t.call(PATH, { organizationId: t.orgA.id, name: 'x', scopes: ['projects:read'] }, { key: limited.raw });
    expect(ok.status).toBe(200);
    await t.close();
  });

  it('refuses unknown and empty scope lists (INVALID_SCOPES) and unknown fields', async () => {
    const t = await createTestApp();
    let res = await t.call(PATH, { organizationId: t.orgA.id, name: 'x', scopes: ['projects:raed'] }, { key: t.keys.owner.raw });
    expect(res.body.error.code).toBe('INVALID_SCOPES');
    expect(res.body.error.message).toContain('did you mean projects:read?');
    expect(res.body.error.details).toEqual({ invalid: ['projects:raed'], allowed: [...SCOPES] });
    res = await t.call(PATH, { organizationId: t.orgA.id, name: 'x', scopes: [] }, { key: t.keys.owner.raw });
    expect(res.body.error.code).toBe('INVALID_SCOPES');
    res = await t.call(
      PATH,
      { organizationId: t.orgA.id, name: 'x', scopes: ['projects:read'], hash: 'abc' },
      { key: t.keys.owner.raw },
    );
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { hash: 'unknown field' } });
    res = await t.call(PATH, { organizationId: t.orgA.id, scopes: ['projects:read'] }, { key: t.keys.owner.raw });
    expect(res.body.error.details).toHaveProperty('name');
    await t.close();
  });

  it('answers the same 404 for another existing organization and one that never existed', async () => {
    const t = await createTestApp();
    const texts = new Set<string>();
    for (const organizationId of [t.orgB.id, newId()]) {
      const res = await t.call(PATH, { organizationId, name: 'x', scopes: ['projects:read'] }, { key: t.keys.owner.raw });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'ORGANIZATION_NOT_FOUND', message: 'Organization not found' });
      texts.add(withoutRequestId(res.text));
    }
    expect(texts.size).toBe(1);
    await t.close();
  });

  it('allows at most 20 live keys per organization (429), counting neither revoked nor expired keys', async () => {
    const t = await createTestApp();
    const live = (await t.store.listLiveKeys(t.orgA.id, t.clock.now().toISOString())).length;
    expect(live).toBe(5); // owner, admin, member, lacking, target (the revoked and expired ones do not count)
    const body = { organizationId: t.orgA.id, name: 'k', scopes: ['projects:read'] };
    for (let i = live; i < 20; i++) expect((await t.call(PATH, body, { key: t.keys.owner.raw })).status).toBe(200);
    const auditBefore = (await t.audit()).length;
    const res = await t.call(PATH, body, { key: t.keys.owner.raw });
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({ code: 'MAX_API_KEYS_REACHED', details: { limit: 20 } });
    expect((await t.store.listLiveKeys(t.orgA.id, t.clock.now().toISOString())).length).toBe(20);
    const audit = await t.audit();
    expect(audit.length - auditBefore).toBe(1);
    expect(audit.at(-1)).toMatchObject({ action: 'key.create', result: 'denied', reason: 'MAX_API_KEYS_REACHED' });

    // Revoking one frees a place; other organizations are not affected.
    await t.call('/revokeorganizationapikeypublic', { keyId: t.keys.target.id }, { key: t.keys.owner.raw });
    expect((await t.call(PATH, body, { key: t.keys.owner.raw })).status).toBe(200);
    expect((await t.call(PATH, { ...body, organizationId: t.orgB.id }, { key: t.keys.other.raw })).status).toBe(200);
    await t.close();
  });

  it('holds the limit under concurrent creation', async () => {
    const t = await createTestApp({ maxKeysPerOrg: 8 });
    const body = { organizationId: t.orgA.id, name: 'k', scopes: ['projects:read'] };
    const results = await Promise.all(Array.from({ length: 10 }, () => t.call(PATH, body, { key: t.keys.owner.raw })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(7);
    expect((await t.store.listLiveKeys(t.orgA.id, t.clock.now().toISOString())).length).toBe(8);
    await t.close();
  });

  it('writes one audit row for a creation, naming the new key and its fields', async () => {
    const t = await createTestApp();
    const auditBefore = (await t.audit()).length;
    const res = await t.call(
      PATH,
      { organizationId: t.orgA.id, name: 'audited', scopes: ['skills:read'] },
      { key: t.keys.owner.raw },
    );
    const audit = await t.audit();
    expect(audit.length - auditBefore).toBe(1);
    expect(audit.at(-1)).toMatchObject({
      action: 'key.create',
      result: 'allowed',
      requestId: res.body.requestId,
      actorKeyId: t.keys.owner.id,
      actorUserId: t.users.owner.id,
      targetKeyId: res.body.data.keyId,
      before: null,
      after: { name: 'audited', description: '', scopes: ['skills:read'] },
    });
    expect(JSON.stringify(audit)).not.toContain(res.body.data.apiKey);
    await t.close();
  });

  it('never writes the created raw key to the log', async () => {
    const t = await createTestApp({ logLevel: 'trace' });
    const res = await t.call(
      PATH,
      { organizationId: t.orgA.id, name: 'x', scopes: ['projects:read'] },
      { key: t.keys.owner.raw },
    );
    expect(t.logs.text()).not.toContain(res.body.data.apiKey);
    expect(t.logs.text()).not.toContain(t.keys.owner.raw);
    await t.close();
  });
});
