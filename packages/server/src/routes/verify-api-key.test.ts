import { describe, expect, it } from 'vitest';
import { hashKey } from '../secrets.js';
import type { Store } from '../store/types.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, overrideStore, rawKeysOf, seedKey, withoutRequestId } from '../test-support/http.js';

const PATH = '/verifyapikey';
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('POST /verifyapikey — authorization matrix', () => {
  runAuthzMatrix({ path: PATH, target: 'none', scope: null, audited: false, mutates: false, body: () => undefined });
});

describe('POST /verifyapikey', () => {
  it('answers the identity of the calling key, omitting unset optional fields', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, undefined, { key: t.keys.target.raw });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        type: 'org-api-key',
        keyId: t.keys.target.id,
        keyName: 'CI Deploy Key',
        keyPrefix: t.keys.target.raw.slice(0, 8),
        scopes: ['deploy:use-case', 'projects:read'],
        organizationId: t.orgA.id,
        organizationName: 'Acme Corp',
        createdAt: '2026-03-31T14:00:00.000Z',
        lastUsedAt: '2026-03-31T14:00:00.000Z',
      },
      requestId: res.body.requestId,
    });
    expect(res.body.data).not.toHaveProperty('expiresAt');
    await t.close();
  });

  it('includes expiresAt when the key expires', async () => {
    const t = await createTestApp();
    const key = await seedKey(t.store, t.orgA.id, t.users.owner.id, { expiresAt: '2026-04-30T14:00:00.000Z' });
    const res = await t.call(PATH, {}, { key: key.raw });
    expect(res.body.data.expiresAt).toBe('2026-04-30T14:00:00.000Z');
    await t.close();
  });

  it('sends a UUIDv7 request id in the body, the X-Request-Id header and the log line', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, {}, { key: t.keys.owner.raw });
    expect(res.body.requestId).toMatch(UUID_V7);
    expect(res.headers['x-request-id']).toBe(res.body.requestId);
    const line = t.logs.lines().find((l) => l.requestId === res.body.requestId);
    expect(line).toMatchObject({ msg: 'request completed', res: { statusCode: 200 }, req: { method: 'POST', url: PATH } });
    const denied = await t.call(PATH, {}, {});
    expect(denied.headers['x-request-id']).toBe(denied.body.requestId);
    expect(t.logs.lines().some((l) => l.requestId === denied.body.requestId && l.errorCode === 'UNAUTHENTICATED')).toBe(true);
    // Request ids sort by arrival.
    expect(denied.body.requestId > res.body.requestId).toBe(true);
    await t.close();
  });

  it('refuses malformed keys, bad checksums and other key kinds without touching the store', async () => {
    let lookups = 0;
    const t = await createTestApp({
      wrapStore: (store: Store) =>
        overrideStore(store, {
          findAuthByHash: async (hash) => {
            lookups++;
            return store.findAuthByHash(hash);
          },
        }),
    });
    const owner = t.keys.owner.raw;
    const personal = `ckp_${owner.slice(4)}`; // right shape, wrong kind (and checksum)
    for (const key of [
      'garbage',
      `${owner}x`,
      owner.slice(0, -1),
      `${owner.slice(0, -1)}${owner.endsWith('A') ? 'B' : 'A'}`,
      personal,
    ]) {
      const res = await t.call(PATH, {}, { key });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    expect(lookups).toBe(0);
    await t.call(PATH, {}, { key: owner });
    expect(lookups).toBe(1);
    await t.close();
  });

  it('answers every authentication failure with the same body', async () => {
    const t = await createTestApp();
    const bodies = new Set<string>();
    for (const key of [null, 'garbage', t.keys.revoked.raw, t.keys.expired.raw]) {
      const res = await t.call(PATH, {}, { key });
      bodies.add(JSON.stringify({ ...res.body, requestId: undefined }));
    }
    expect(bodies.size).toBe(1);
    await t.close();
  });

  it('refuses a key whose creating user is no longer a member of the organization', async () => {
    const t = await createTestApp();
    expect((await t.call(PATH, {}, { key: t.keys.admin.raw })).status).toBe(200);
    await t.store.removeMembership(t.orgA.id, t.users.admin.id);
    const res = await t.call(PATH, {}, { key: t.keys.admin.raw });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    await t.close();
  });

  it('stops accepting a key the moment it expires', async () => {
    const t = await createTestApp();
    const key = await seedKey(t.store, t.orgA.id, t.users.owner.id, { expiresAt: '2026-03-31T15:00:00.000Z' });
    expect((await t.call(PATH, {}, { key: key.raw })).status).toBe(200);
    t.clock.set('2026-03-31T14:59:59.999Z');
    expect((await t.call(PATH, {}, { key: key.raw })).status).toBe(200);
    t.clock.set('2026-03-31T15:00:00.000Z');
    expect((await t.call(PATH, {}, { key: key.raw })).status).toBe(401);
    await t.close();
  });

  it('records the last use at most once per interval', async () => {
    const touches: string[] = [];
    const t = await createTestApp({
      lastUsedIntervalMs: 60_000,
      wrapStore: (store: Store) =>
        overrideStore(store, {
          touchLastUsed: async (keyId, at, staleBefore) => {
            touches.push(at);
            return store.touchLastUsed(keyId, at, staleBefore);
          },
        }),
    });
    const key = t.keys.owner.raw;
    const lastUsed = async () => (await t.store.findAuthByHash(hashKey(key)))?.key.lastUsedAt;
    expect(await lastUsed()).toBeNull();

    await t.call(PATH, {}, { key });
    expect(touches).toEqual(['2026-03-31T14:00:00.000Z']);
    expect(await lastUsed()).toBe('2026-03-31T14:00:00.000Z');

    for (let i = 0; i < 10; i++) {
      t.clock.advance(5_000); // up to 14:00:50
      const res = await t.call(PATH, {}, { key });
      expect(res.body.data.lastUsedAt).toBe('2026-03-31T14:00:00.000Z');
    }
    expect(touches).toHaveLength(1);

    t.clock.set('2026-03-31T14:01:00.001Z');
    const res = await t.call(PATH, {}, { key });
    expect(res.body.data.lastUsedAt).toBe('2026-03-31T14:01:00.001Z');
    expect(touches).toHaveLength(2);
    expect(await lastUsed()).toBe('2026-03-31T14:01:00.001Z');
    await t.close();
  });

  it('still answers when recording the last use fails', async () => {
    const t = await createTestApp({
      wrapStore: (store: Store) =>
        overrideStore(store, {
          touchLastUsed: async () => {
            throw new Error('disk full');
          },
        }),
    });
    const res = await t.call(PATH, {}, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    expect(res.body.data).not.toHaveProperty('lastUsedAt');
    await t.close();
  });

  it('never writes a raw key to the log', async () => {
    const t = await createTestApp({ logLevel: 'trace' });
    for (const key of rawKeysOf(t)) await t.call(`${PATH}?key=${key}`, {}, { key, headers: { 'user-agent': key } });
    await t.call(PATH, { apiKey: t.keys.owner.raw }, { key: t.keys.owner.raw });
    const text = t.logs.text();
    expect(text.length).toBeGreaterThan(0);
    for (const key of rawKeysOf(t)) expect(text).not.toContain(key);
    expect(text).not.toContain('cko_');
    await t.close();
  });
});

describe('POST /verifyapikey with required scopes', () => {
  const deployOnly = ['deploy:use-case', 'projects:read'];

  it('answers the empty body exactly as before: no body, an empty body and {} alike', async () => {
    const t = await createTestApp();
    const key = t.keys.target.raw;
    const none = await t.call(PATH, undefined, { key, headers: { 'content-type': 'text/plain' } });
    const empty = await t.call(PATH, undefined, { key, payload: '' });
    const object = await t.call(PATH, {}, { key });
    for (const res of [none, empty, object]) expect(res.status).toBe(200);
    expect(new Set([none, empty, object].map((r) => withoutRequestId(r.text))).size).toBe(1);
    expect(Object.keys(object.body.data).sort()).toEqual(
      ['createdAt', 'keyId', 'keyName', 'keyPrefix', 'lastUsedAt', 'organizationId', 'organizationName', 'scopes', 'type'].sort(),
    );
    await t.close();
  });

  it('200 with the same identity when the key holds every required scope (match all, the default)', async () => {
    const t = await createTestApp();
    const key = t.keys.target.raw;
    const plain = await t.call(PATH, {}, { key });
    const ok = await t.call(PATH, { requiredScopes: ['deploy:use-case'] }, { key });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toEqual(plain.body.data);
    expect((await t.call(PATH, { requiredScopes: deployOnly, match: 'all' }, { key })).status).toBe(200);
    await t.close();
  });

  it('403 INSUFFICIENT_SCOPE naming the missing scopes when the key lacks some of them', async () => {
    const t = await createTestApp();
    const res = await t.call(
      PATH,
      { requiredScopes: ['deploy:use-case', 'instances:read', 'api-keys:manage'] },
      { key: t.keys.target.raw },
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
      details: { missing: ['api-keys:manage', 'instances:read'], match: 'all' },
    });
    expect(res.body.error.message).toContain('instances:read');
    await t.close();
  });

  it('match any: 200 when the key holds one of them, 403 with all of them missing when none', async () => {
    const t = await createTestApp();
    const key = t.keys.target.raw;
    expect((await t.call(PATH, { requiredScopes: ['instances:read', 'projects:read'], match: 'any' }, { key })).status).toBe(200);
    const none = await t.call(PATH, { requiredScopes: ['instances:read', 'api-keys:manage'], match: 'any' }, { key });
    expect(none.status).toBe(403);
    expect(none.body.error).toMatchObject({
      code: 'INSUFFICIENT_SCOPE',
      details: { missing: ['api-keys:manage', 'instances:read'], match: 'any' },
    });
    await t.close();
  });

  it('refuses unknown scope names, an empty list, and match alone; a bad key is 401 before any of it', async () => {
    const t = await createTestApp();
    const key = t.keys.target.raw;
    const unknown = await t.call(PATH, { requiredScopes: ['deploy:usecase'] }, { key });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'INVALID_SCOPES', details: { invalid: ['deploy:usecase'] } });
    expect(unknown.body.error.message).toContain('did you mean deploy:use-case');
    expect((await t.call(PATH, { requiredScopes: [] }, { key })).body.error.code).toBe('INVALID_SCOPES');
    const alone = await t.call(PATH, { match: 'any' }, { key });
    expect(alone.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { match: expect.any(String) } });
    expect((await t.call(PATH, { match: 'some', requiredScopes: ['projects:read'] }, { key })).status).toBe(400);
    const revoked = await t.call(PATH, { requiredScopes: ['projects:read'] }, { key: t.keys.revoked.raw });
    expect(revoked.status).toBe(401);
    // Reads only: no audit row, whatever the answer.
    const rows = (await t.audit()).length;
    await t.call(PATH, { requiredScopes: ['api-keys:manage'] }, { key });
    expect((await t.audit()).length).toBe(rows);
    await t.close();
  });
});
