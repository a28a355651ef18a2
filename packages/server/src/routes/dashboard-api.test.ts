import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { clearedSessionCookie, hashSessionId, SESSION_TTL_MS, sessionCookie } from '../http/session.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { badChecksumKey, type CallOptions, createTestApp, seedKey, type TestApp } from '../test-support/http.js';
import { defaultStoreFactory } from '../test-support/stores.js';
import { DASHBOARD_CSP } from './dashboard-static.js';

const SESSION = '/dashboard/api/session';
const SESSION_END = '/dashboard/api/session/end';
const SESSION_CURRENT = '/dashboard/api/session/current';
const AUDIT = '/dashboard/api/audit';
const INACTIVE = '/dashboard/api/inactive-keys';
const CSRF = { 'x-codika-csrf': '1' };

function setCookieOf(res: { headers: Record<string, unknown> }): string {
  const value = res.headers['set-cookie'];
  return String(Array.isArray(value) ? value[0] : (value ?? ''));
}

/** Sign in with a raw key; the session id from the Set-Cookie answer. */
async function signIn(t: TestApp, raw: string): Promise<string> {
  const res = await t.call(SESSION, { apiKey: raw }, { headers: CSRF });
  expect(res.status).toBe(200);
  const id = /^codika_session=([^;]+);/.exec(setCookieOf(res))?.[1];
  if (!id) throw new Error(`no session cookie: ${setCookieOf(res)}`);
  return id;
}

/** Call with the session cookie (and, unless told otherwise, the CSRF header). */
function withSession(id: string, headers: Record<string, string> = CSRF): CallOptions {
  return { headers: { cookie: `other=1; codika_session=${id}`, ...headers } };
}

describe('POST /dashboard/api/session — sign in', () => {
  it('checks the key as /verifyapikey does, answers its data and sets an HttpOnly, SameSite=Strict, 12-hour cookie', async () => {
    const t = await createTestApp();
    const res = await t.call(SESSION, { apiKey: t.keys.owner.raw }, { headers: CSRF });
    expect(res.status).toBe(200);
    const verify = await t.call('/verifyapikey', {}, { key: t.keys.owner.raw });
    expect(res.body.data).toEqual(verify.body.data);
    const cookie = setCookieOf(res);
    expect(cookie).toMatch(/^codika_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    expect(cookie).not.toContain('Secure'); // plain http here
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toContain(t.keys.owner.raw);
    await t.close();
  });

  it('stores only the hash of the session id', async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.owner.raw);
    const now = t.clock.now().toISOString();
    expect((await t.store.findAuthBySession(hashSessionId(id), now))?.key.id).toBe(t.keys.owner.id);
    expect(await t.store.findAuthBySession(id, now)).toBeUndefined();
    await t.close();
  });

  it('refuses wrong, revoked and expired keys with 401 and no cookie', async () => {
    const t = await createTestApp();
    for (const apiKey of ['nope', t.keys.revoked.raw, t.keys.expired.raw, badChecksumKey(t.keys.owner.raw)]) {
      const res = await t.call(SESSION, { apiKey }, { headers: CSRF });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await t.close();
  });

  it('refuses a sign-in without the CSRF header, from another origin or another site (403 CSRF_REJECTED)', async () => {
    const t = await createTestApp();
    const cases: Record<string, string>[] = [
      {},
      { ...CSRF, origin: 'https://evil.test' },
      { ...CSRF, origin: 'http://localhost:9' },
      { ...CSRF, 'sec-fetch-site': 'cross-site' },
      { ...CSRF, 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of cases) {
      const res = await t.call(SESSION, { apiKey: t.keys.owner.raw }, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.error.code).toBe('CSRF_REJECTED');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    // The server's own origin (inject's Host is localhost:80) and a same-origin fetch pass.
    const ok = await t.call(
      SESSION,
      { apiKey: t.keys.owner.raw },
      { headers: { ...CSRF, origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' } },
    );
    expect(ok.status).toBe(200);
    await t.close();
  });

  it('validates the body', async () => {
    const t = await createTestApp();
    const res = await t.call(SESSION, { apiKey: t.keys.owner.raw, extra: 1 }, { headers: CSRF });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    await t.close();
  });

  it('behind a proxy that terminates TLS: accepts the https origin of its own host and sets Secure', async () => {
    const t = await createTestApp();
    const res = await t.call(SESSION, { apiKey: t.keys.owner.raw }, { headers: { ...CSRF, origin: 'https://localhost:80' } });
    expect(res.status).toBe(200);
    expect(setCookieOf(res)).toMatch(/; Secure$/);
    const foreign = await t.call(SESSION, { apiKey: t.keys.owner.raw }, { headers: { ...CSRF, origin: 'https://localhost:81' } });
    expect(foreign.status).toBe(403);
    const noHost = await t.call(SESSION, { apiKey: t.keys.owner.raw }, { headers: { ...CSRF, origin: 'ftp://localhost:80' } });
    expect(noHost.status).toBe(403);
    await t.close();
  });

  it('sets Secure on the cookie when the request came over https', () => {
    expect(sessionCookie('abc', { secure: true })).toContain('; Secure');
    expect(clearedSessionCookie({ secure: true })).toMatch(
      /^codika_session=; Path=\/; Max-Age=0; .*HttpOnly; SameSite=Strict; Secure$/,
    );
  });
});

describe('requests authenticated by the session cookie', () => {
  it('reach the same operations as the key header, with the same answers', async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.owner.raw);
    const byKey = await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.owner.raw });
    const bySession = await t.call('/listorganizationapikeyspublic', {}, withSession(id));
    expect(bySession.status).toBe(200);
    expect(bySession.body.data).toEqual(byKey.body.data);
    await t.close();
  });

  it('need the CSRF header and a same-origin Origin; a refused request changes nothing', async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.owner.raw);
    const body = { keyId: t.keys.target.id, name: 'Forged' };
    for (const headers of [{}, { ...CSRF, origin: 'http://127.0.0.1:1' }, { ...CSRF, 'sec-fetch-site': 'cross-site' }]) {
      const res = await t.call('/updateorganizationapikeypublic', body, withSession(id, headers));
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('CSRF_REJECTED');
    }
    expect((await t.record(t.keys.target)).name).toBe('CI Deploy Key');
    const ok = await t.call('/updateorganizationapikeypublic', body, withSession(id, { ...CSRF, origin: 'http://localhost:80' }));
    expect(ok.status).toBe(200);
    expect((await t.record(t.keys.target)).name).toBe('Forged');
    // The key header needs no CSRF header (API clients are not browsers).
    const byKey = await t.call('/verifyapikey', {}, { key: t.keys.owner.raw, headers: { cookie: `codika_session=${id}` } });
    expect(byKey.status).toBe(200);
    await t.close();
  });

  it('act as exactly the session key: the audit row names that key and its user', async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.admin.raw);
    const res = await t.call('/updateorganizationapikeypublic', { keyId: t.keys.member.id, name: 'By admin' }, withSession(id));
    expect(res.status).toBe(200);
    const row = (await t.audit()).at(-1);
    expect(row).toMatchObject({
      action: 'key.update',
      result: 'allowed',
      actorKeyId: t.keys.admin.id,
      actorUserId: t.users.admin.id,
    });
    await t.close();
  });

  it('get the same status and code as the key header for every caller, route and target', async () => {
    const t = await createTestApp();
    const callers = {
      lacking: t.keys.lacking,
      member: t.keys.member,
      admin: t.keys.admin,
      owner: t.keys.owner,
      other: t.keys.other,
    };
    const targets = [t.keys.target.id, t.keys.otherTarget.id, t.keys.revoked.id, 'never-existed'];
    for (const [name, key] of Object.entries(callers)) {
      const id = await signIn(t, key.raw);
      for (const keyId of targets) {
        const calls: [string, unknown][] = [
          ['/verifyapikey', {}],
          ['/listorganizationapikeyspublic', {}],
          ['/getorganizationapikeypublic', { keyId }],
          ['/updateorganizationapikeypublic', { keyId, scopes: ['projects:read'], dryRun: true }],
          [AUDIT, { keyId }],
        ];
        for (const [path, body] of calls) {
          const a = await t.call(path, body, { key: key.raw });
          const b = await t.call(path, body, withSession(id));
          expect([b.status, b.body.error?.code], `${name} ${path} ${keyId}`).toEqual([a.status, a.body.error?.code]);
        }
      }
    }
    await t.close();
  });

  it("re-check the key and its user's role on every request", async () => {
    const t = await createTestApp();
    const key = await seedKey(t.store, t.orgA.id, t.users.admin.id, { name: 'Session key' });
    const id = await signIn(t, key.raw);
    const list = () => t.call('/listorganizationapikeyspublic', {}, withSession(id));
    expect((await list()).status).toBe(200);
    await t.store.setMembership({ organizationId: t.orgA.id, userId: t.users.admin.id, role: 'member' });
    expect((await list()).body.error.code).toBe('NOT_ORG_ADMIN');
    await t.store.removeMembership(t.orgA.id, t.users.admin.id);
    expect((await list()).body.error.code).toBe('UNAUTHENTICATED');
    await t.store.setMembership({ organizationId: t.orgA.id, userId: t.users.admin.id, role: 'admin' });
    expect((await list()).status).toBe(200);
    const revoked = await t.call('/revokeorganizationapikeypublic', { keyId: key.id }, { key: t.keys.owner.raw });
    expect(revoked.status).toBe(200);
    expect((await list()).status).toBe(401);
    await t.close();
  });

  it('stop when the key expires and after 12 hours', async () => {
    const t = await createTestApp();
    const expiring = await seedKey(t.store, t.orgA.id, t.users.owner.id, {
      expiresAt: new Date(t.clock.now().getTime() + 60_000).toISOString(),
    });
    const short = await signIn(t, expiring.raw);
    const long = await signIn(t, t.keys.owner.raw);
    const verify = (id: string) => t.call('/verifyapikey', {}, withSession(id));
    t.clock.advance(60_000);
    expect((await verify(short)).status).toBe(401);
    expect((await verify(long)).status).toBe(200);
    t.clock.advance(SESSION_TTL_MS - 60_001);
    expect((await verify(long)).status).toBe(200);
    t.clock.advance(1);
    expect((await verify(long)).status).toBe(401);
    await t.close();
  });

  it('refuse an unknown or malformed session id with 401', async () => {
    const t = await createTestApp();
    for (const id of ['x', 'A'.repeat(43), '']) {
      const res = await t.call('/verifyapikey', {}, withSession(id));
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHENTICATED');
    }
    await t.close();
  });
});

describe('POST /dashboard/api/session/end — sign out', () => {
  it('deletes the session and the cookie', async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.owner.raw);
    const res = await t.call(SESSION_END, {}, withSession(id));
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ signedOut: true });
    expect(setCookieOf(res)).toMatch(/^codika_session=; Path=\/; Max-Age=0;/);
    expect((await t.call('/verifyapikey', {}, withSession(id))).status).toBe(401);
    // Idempotent: without a session it still clears the cookie.
    expect((await t.call(SESSION_END, {}, { headers: CSRF })).status).toBe(200);
    await t.close();
  });

  it('needs the CSRF header, so another site cannot sign a user out', async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.owner.raw);
    const res = await t.call(SESSION_END, {}, withSession(id, {}));
    expect(res.status).toBe(403);
    expect((await t.call('/verifyapikey', {}, withSession(id))).status).toBe(200);
    await t.close();
  });

  it('signing in again replaces the previous session', async () => {
    const t = await createTestApp();
    const first = await signIn(t, t.keys.owner.raw);
    const res = await t.call(SESSION, { apiKey: t.keys.admin.raw }, withSession(first));
    expect(res.status).toBe(200);
    expect((await t.call('/verifyapikey', {}, withSession(first))).status).toBe(401);
    await t.close();
  });
});

describe('POST /dashboard/api/session/current', () => {
  it('answers signedIn: false without a cookie (no failed authentication), else the session key', async () => {
    const t = await createTestApp();
    const none = await t.call(SESSION_CURRENT, {}, { headers: CSRF });
    expect(none.status).toBe(200);
    expect(none.body.data).toEqual({ signedIn: false });
    const id = await signIn(t, t.keys.owner.raw);
    const current = await t.call(SESSION_CURRENT, {}, withSession(id));
    const verify = await t.call('/verifyapikey', {}, { key: t.keys.owner.raw });
    expect(current.body.data).toEqual({ signedIn: true, ...verify.body.data });
    await t.close();
  });

  it('answers 401 and deletes the cookie when the session is no longer valid; needs the CSRF header', async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.admin.raw);
    expect((await t.call(SESSION_CURRENT, {}, withSession(id, {}))).status).toBe(403);
    await t.call('/revokeorganizationapikeypublic', { keyId: t.keys.admin.id }, { key: t.keys.owner.raw });
    const res = await t.call(SESSION_CURRENT, {}, withSession(id));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    expect(setCookieOf(res)).toMatch(/^codika_session=; Path=\/; Max-Age=0;/);
    await t.close();
  });
});

describe('POST /dashboard/api/audit — authorization matrix (caller axis)', () => {
  runAuthzMatrix({
    path: AUDIT,
    target: 'none',
    scope: 'api-keys:manage',
    callers: 'key-or-user',
    audited: false,
    mutates: false,
    body: (_target, t) => ({ keyId: t.keys.target.id }),
  });
});

describe('POST /dashboard/api/audit', () => {
  it("answers a key's audit rows, newest first, with who, what, when and from where", async () => {
    const t = await createTestApp();
    const id = await signIn(t, t.keys.owner.raw);
    await t.call('/updateorganizationapikeypublic', { keyId: t.keys.target.id, scopes: ['deploy:use-case'] }, withSession(id));
    const res = await t.call(AUDIT, { keyId: t.keys.target.id }, withSession(id));
    expect(res.status).toBe(200);
    const [update, create] = res.body.data.entries;
    expect(Object.keys(update).sort()).toEqual(
      [
        'id',
        'at',
        'action',
        'result',
        'reason',
        'actorKeyId',
        'actorUserId',
        'before',
        'after',
        'sourceIp',
        'userAgent',
        'requestId',
      ].sort(),
    );
    expect(update).toMatchObject({
      action: 'key.update',
      result: 'allowed',
      reason: null,
      actorKeyId: t.keys.owner.id,
      actorUserId: t.users.owner.id,
      before: { scopes: ['deploy:use-case', 'projects:read'] },
      after: { scopes: ['deploy:use-case'] },
      sourceIp: '127.0.0.1',
    });
    expect(create).toMatchObject({ action: 'key.create', actorKeyId: null });
    await t.close();
  });

  it("keeps the history of a revoked key and shows nothing of another organization's key", async () => {
    const t = await createTestApp();
    const revoked = await t.call(AUDIT, { keyId: t.keys.revoked.id }, { key: t.keys.owner.raw });
    expect(revoked.body.data.entries.map((e: { action: string }) => e.action)).toEqual(['key.revoke', 'key.create']);
    const other = await t.call(AUDIT, { keyId: t.keys.otherTarget.id }, { key: t.keys.owner.raw });
    expect(other.body.data.entries).toEqual([]);
    const missing = await t.call(AUDIT, {}, { key: t.keys.owner.raw });
    expect(missing.status).toBe(400);
    await t.close();
  });
});

describe('POST /dashboard/api/inactive-keys — authorization matrix (caller axis)', () => {
  runAuthzMatrix({
    path: INACTIVE,
    target: 'none',
    scope: 'api-keys:manage',
    callers: 'key-or-user',
    audited: false,
    mutates: false,
    body: () => ({}),
  });
});

describe('POST /dashboard/api/inactive-keys', () => {
  it("lists the caller organization's revoked and expired keys, never a hash or raw key", async () => {
    const t = await createTestApp();
    const res = await t.call(INACTIVE, {}, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.body.data.keys.map((k: { name: string }) => [k.name, k]));
    expect(Object.keys(byName).sort()).toEqual(['Expired key', 'Revoked key']);
    expect(byName['Revoked key']).toMatchObject({ keyId: t.keys.revoked.id, revokedAt: expect.any(String) });
    expect(byName['Expired key']).not.toHaveProperty('revokedAt');
    expect(byName['Expired key'].expiresAt).toBeDefined();
    for (const raw of [t.keys.revoked.raw, t.keys.expired.raw]) expect(res.text).not.toContain(raw.slice(8));
    expect(res.text).not.toMatch(/"hash"/);
    await t.close();
  });
});

describe('the dashboard page', () => {
  async function appWith(dashboardDir: string | null) {
    const store = await defaultStoreFactory.create();
    const app = await buildApp({ store, logger: false, dashboardDir });
    return {
      app,
      close: async () => {
        await app.close();
        await store.close();
      },
    };
  }

  it('serves index.html at /, /dashboard and /dashboard/ and hashed assets, with the security headers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codika-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abcdefgh.js"></script>');
    writeFileSync(join(dir, 'assets', 'index-abcdefgh.js'), 'console.log(1)');
    const { app, close } = await appWith(dir);
    try {
      for (const url of ['/', '/dashboard', '/dashboard/']) {
        const res = await app.inject({ url });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
        expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['cache-control']).toBe('no-cache');
      }
      const js = await app.inject({ url: '/assets/index-abcdefgh.js' });
      expect(js.statusCode).toBe(200);
      expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      for (const url of ['/assets/nope.js', '/assets/..%2findex.html', '/assets/%2e%2e%2f%2e%2e%2fpackage.json']) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(404);
        expect(JSON.parse(res.body).error.code).toBe('NOT_FOUND');
      }
      expect(DASHBOARD_CSP).toContain("script-src 'self'");
      expect(DASHBOARD_CSP).toContain("frame-ancestors 'none'");
      expect(DASHBOARD_CSP).not.toContain('unsafe');
    } finally {
      await close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says how to build the dashboard when it is missing, and serves nothing when switched off', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codika-dashboard-'));
    const missing = await appWith(dir);
    const res = await missing.app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await missing.close();
    rmSync(dir, { recursive: true, force: true });
    const off = await appWith(null);
    expect((await off.app.inject({ url: '/' })).statusCode).toBe(404);
    await off.close();
  });
});
