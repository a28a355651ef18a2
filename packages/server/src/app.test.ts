/** Transport rules shared by every operation: envelope, media type, body, errors, logging. */
import { describe, expect, it } from 'vitest';
import type { Store } from './store/types.js';
import { createTestApp, overrideStore } from './test-support/http.js';

const VERIFY = '/verifyapikey';
const LIST = '/listorganizationapikeyspublic';

describe('transport', () => {
  it('treats an empty body as {} whatever the Content-Type', async () => {
    const t = await createTestApp();
    const headerSets: Record<string, string>[] = [{}, { 'content-type': 'text/plain' }];
    for (const headers of headerSets) {
      const res = await t.call(LIST, undefined, { key: t.keys.owner.raw, headers });
      expect(res.status).toBe(200);
    }
    const noType = await t.app.inject({ method: 'POST', url: LIST, headers: { 'x-process-manager-key': t.keys.owner.raw } });
    expect(noType.statusCode).toBe(200);
    expect((await t.call(LIST, undefined, { key: t.keys.owner.raw, payload: '  \n' })).status).toBe(200);
    await t.close();
  });

  it('accepts application/json with a charset and refuses other media types with 415', async () => {
    const t = await createTestApp();
    const ok = await t.call(LIST, {}, { key: t.keys.owner.raw, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(ok.status).toBe(200);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const res = await t.call(LIST, undefined, { key: t.keys.owner.raw, payload: '{}', headers: { 'content-type': type } });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        success: false,
        error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Content-Type must be application/json' },
        requestId: res.headers['x-request-id'],
      });
    }
    await t.close();
  });

  it('answers malformed JSON with 400 VALIDATION_ERROR in the envelope', async () => {
    const t = await createTestApp();
    const res = await t.call(LIST, undefined, { key: t.keys.owner.raw, payload: '{"organizationId": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
    const nul = await t.call(LIST, undefined, { key: t.keys.owner.raw, payload: 'null' });
    expect(nul.body.error.code).toBe('VALIDATION_ERROR');
    await t.close();
  });

  it('refuses prototype-poisoning keys as unknown fields, naming each', async () => {
    const t = await createTestApp();
    const res = await t.call(LIST, undefined, { key: t.keys.owner.raw, payload: '{"__proto__": {"admin": true}}' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details).toEqual(JSON.parse('{"__proto__": "unknown field"}'));
    expect(res.body.error.message).toBe('Invalid request: __proto__: unknown field');
    for (const field of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const named = await t.call(LIST, undefined, { key: t.keys.owner.raw, payload: `{"${field}": 1}` });
      expect(named.status).toBe(400);
      expect(Object.keys(named.body.error.details)).toEqual([field]);
      expect(named.body.error.message).toBe(`Invalid request: ${field}: unknown field`);
    }
    await t.close();
  });

  it('refuses an id holding a control character (NUL included) at validation, with one audit row where audited', async () => {
    const t = await createTestApp();
    const ids = ['a\u0000b', '\u0000', `${t.keys.target.id}\u0000`, 'id\nnext', 'x\u007f'];
    const routes = [
      { path: '/getorganizationapikeypublic', body: (keyId: string) => ({ keyId }), audited: false },
      { path: '/updateorganizationapikeypublic', body: (keyId: string) => ({ keyId, name: 'x' }), audited: true },
      { path: '/revokeorganizationapikeypublic', body: (keyId: string) => ({ keyId }), audited: true },
      {
        path: '/createorganizationapikeypublic',
        body: (organizationId: string) => ({ organizationId, name: 'x', scopes: ['projects:read'] }),
        audited: true,
      },
      { path: LIST, body: (organizationId: string) => ({ organizationId }), audited: false },
    ];
    for (const route of routes) {
      for (const id of ids) {
        const before = (await t.audit()).length;
        const res = await t.call(route.path, route.body(id), { key: t.keys.owner.raw });
        expect(res.status, `${route.path} ${JSON.stringify(id)}`).toBe(400);
        expect(res.body.error.code).toBe('VALIDATION_ERROR');
        expect(Object.values(res.body.error.details)).toContain('id must not contain control characters');
        const added = (await t.audit()).slice(before);
        expect(added).toHaveLength(route.audited ? 1 : 0);
        if (route.audited) expect(added[0]).toMatchObject({ result: 'denied', reason: 'VALIDATION_ERROR', targetKeyId: null });
      }
    }
    // The key named without the NUL is untouched.
    expect((await t.call('/getorganizationapikeypublic', { keyId: t.keys.target.id }, { key: t.keys.owner.raw })).status).toBe(
      200,
    );
    await t.close();
  });

  it('answers an unknown route with the 404 NOT_FOUND envelope, and another method with 405', async () => {
    const t = await createTestApp();
    const res = await t.call('/nope', {}, { key: t.keys.owner.raw });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'NOT_FOUND', message: 'Route not found' },
      requestId: res.headers['x-request-id'],
    });
    const get = await t.call(VERIFY, undefined, { method: 'GET', key: t.keys.owner.raw });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.body.error.code).toBe('METHOD_NOT_ALLOWED');
    await t.close();
  });

  it('answers 5xx with a generic message; the cause goes only to the log, with the request id', async () => {
    const secret = 'SQLITE_CORRUPT: database disk image is malformed at /var/lib/codika/secret.db';
    const t = await createTestApp({
      wrapStore: (store: Store) =>
        overrideStore(store, {
          listLiveKeys: async () => {
            throw new Error(secret);
          },
        }),
    });
    const res = await t.call(LIST, {}, { key: t.keys.owner.raw });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'INTERNAL', message: 'Internal server error' },
      requestId: res.headers['x-request-id'],
    });
    expect(res.text).not.toContain('SQLITE');
    const logged = t.logs.lines().filter((l) => l.requestId === res.body.requestId);
    expect(logged.some((l) => l.level === 50 && JSON.stringify(l).includes(secret))).toBe(true);
    await t.close();
  });

  it('writes an audit row for an audited attempt that fails unexpectedly', async () => {
    const t = await createTestApp({
      wrapStore: (store: Store) =>
        overrideStore(store, {
          revokeKey: async () => {
            throw new Error('boom');
          },
        }),
    });
    const before = (await t.audit()).length;
    const res = await t.call('/revokeorganizationapikeypublic', { keyId: t.keys.target.id }, { key: t.keys.owner.raw });
    expect(res.status).toBe(500);
    const audit = await t.audit();
    expect(audit.length - before).toBe(1);
    expect(audit.at(-1)).toMatchObject({ result: 'denied', reason: 'INTERNAL', targetKeyId: t.keys.target.id });
    await t.close();
  });

  it('marks every API answer Cache-Control: no-store (the create answer carries a raw key), success or failure', async () => {
    const t = await createTestApp();
    const created = await t.call(
      '/createorganizationapikeypublic',
      { organizationId: t.orgA.id, name: 'Cached?', scopes: ['projects:read'] },
      { key: t.keys.owner.raw },
    );
    expect(created.status).toBe(200);
    expect(created.body.data.apiKey).toMatch(/^cko_/);
    expect(created.headers['cache-control']).toBe('no-store');
    expect((await t.call(LIST, {}, { key: t.keys.owner.raw })).headers['cache-control']).toBe('no-store');
    expect((await t.call(LIST, {}, { key: 'nope' })).headers['cache-control']).toBe('no-store');
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).headers['cache-control']).toBe('no-store');
    expect((await t.app.inject({ method: 'GET', url: '/nope' })).headers['cache-control']).toBe('no-store');
    await t.close();
  });

  it('logs one JSON line per request and never headers or bodies', async () => {
    const t = await createTestApp();
    const res = await t.call(LIST, {}, { key: t.keys.owner.raw, headers: { cookie: 'session=secret-cookie' } });
    const lines = t.logs.lines().filter((l) => l.requestId === res.body.requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request completed', req: { method: 'POST', url: LIST }, res: { statusCode: 200 } });
    expect(t.logs.text()).not.toContain('secret-cookie');
    expect(t.logs.text()).not.toContain('x-process-manager-key');
    await t.close();
  });

  it('logs nothing when the logger is off', async () => {
    const { buildApp } = await import('./app.js');
    const { defaultStoreFactory } = await import('./test-support/stores.js');
    const store = await defaultStoreFactory.create();
    const app = await buildApp({ store, logger: false });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    await app.close();
    await store.close();
  });
});
