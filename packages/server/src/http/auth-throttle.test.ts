/**
 * Brute-force throttling: failed authentications from one source address are counted in a
 * sliding window; past the budget that source is answered 429 RATE_LIMITED with Retry-After
 * before any key lookup, while other sources (and their valid keys) are unaffected.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import type { Store } from '../store/types.js';
import { badChecksumKey, captureLogs, type Seed, seed, testClock, unknownKey } from '../test-support/http.js';
import { defaultStoreFactory } from '../test-support/stores.js';
import { type AuthFailureBudget, AuthFailureThrottle } from './auth-throttle.js';

const VERIFY = '/verifyapikey';
const UPDATE = '/updateorganizationapikeypublic';
const LIST = '/listorganizationapikeyspublic';

interface Answer {
  success: boolean;
  requestId: string;
  data: { keyId: string };
  error: { code: string };
}

interface Harness extends Seed {
  call(
    path: string,
    key: string | null,
    ip: string,
    body?: unknown,
  ): Promise<{ status: number; body: Answer; headers: Record<string, unknown> }>;
  callWith(path: string, headers: Record<string, string>, ip: string, body: unknown): Promise<{ status: number; body: Answer }>;
  get(path: string, ip: string): Promise<number>;
  /** Store calls made so far (every method). */
  storeCalls(): number;
  clock: ReturnType<typeof testClock>;
  close(): Promise<void>;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(budget?: AuthFailureBudget | false, trustProxy?: string[]): Promise<Harness> {
  const base = await defaultStoreFactory.create();
  const seeded = await seed(base);
  let calls = 0;
  const counting = new Proxy(base, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Store;
  const clock = testClock();
  const app = await buildApp({
    store: counting,
    clock: clock.clock,
    logger: { level: 'info', stream: captureLogs().stream },
    ...(budget === undefined ? {} : { authFailureBudget: budget }),
    ...(trustProxy === undefined ? {} : { trustProxy }),
  });
  await app.ready();
  const h: Harness = {
    ...seeded,
    clock,
    storeCalls: () => calls,
    async call(path, key, ip, body) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key !== null) headers['x-process-manager-key'] = key;
      const res = await app.inject({
        method: 'POST',
        url: path,
        headers,
        remoteAddress: ip,
        payload: JSON.stringify(body ?? {}),
      });
      return { status: res.statusCode, body: JSON.parse(res.body) as Answer, headers: res.headers };
    },
    async callWith(path, headers, ip, body) {
      const res = await app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/json', ...headers },
        remoteAddress: ip,
        payload: JSON.stringify(body),
      });
      return { status: res.statusCode, body: JSON.parse(res.body) as Answer };
    },
    async get(path, ip) {
      return (await app.inject({ method: 'GET', url: path, remoteAddress: ip })).statusCode;
    },
    async close() {
      await app.close();
      await base.close();
    },
  };
  open.push(h);
  return h;
}

describe('brute-force throttling', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a source has spent its budget', async () => {
    const h = await harness({ max: 5, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      const res = await h.call(VERIFY, unknownKey(), '10.0.0.1');
      expect(res.status).toBe(401);
    }
    const res = await h.call(VERIFY, unknownKey(), '10.0.0.1');
    expect(res.status).toBe(429);
    expect(res.body.success).toBe(false);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(res.headers['retry-after']).toBe('60');
    expect(res.headers['x-request-id']).toBe(res.body.requestId);
  });

  it('refuses a throttled source before any store access, even with a valid key', async () => {
    const h = await harness({ max: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await h.call(VERIFY, unknownKey(), '10.0.0.2');
    const before = h.storeCalls();
    const valid = await h.call(VERIFY, h.keys.owner.raw, '10.0.0.2');
    const guess = await h.call(UPDATE, unknownKey(), '10.0.0.2', { keyId: h.keys.target.id, name: 'x' });
    expect(valid.status).toBe(429);
    expect(guess.status).toBe(429);
    expect(h.storeCalls()).toBe(before);
  });

  it('leaves another source and its valid key unaffected', async () => {
    const h = await harness({ max: 3, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) await h.call(VERIFY, unknownKey(), '10.0.0.3');
    expect((await h.call(VERIFY, unknownKey(), '10.0.0.3')).status).toBe(429);
    const other = await h.call(VERIFY, h.keys.owner.raw, '10.0.0.4');
    expect(other.status).toBe(200);
    expect(other.body.data.keyId).toBe(h.keys.owner.id);
    // And the other source still gets its own budget of plain 401s.
    expect((await h.call(VERIFY, unknownKey(), '10.0.0.4')).status).toBe(401);
  });

  it('counts malformed and bad-checksum keys without a single store query', async () => {
    const h = await harness({ max: 4, windowMs: 60_000 });
    const before = h.storeCalls();
    const statuses: number[] = [];
    for (const key of ['not-a-key', badChecksumKey(h.keys.owner.raw), 'cko_short', badChecksumKey(h.keys.admin.raw), 'x']) {
      statuses.push((await h.call(VERIFY, key, '10.0.0.5')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect(h.storeCalls()).toBe(before);
  });

  it('does not count a request without any key (nothing was guessed)', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      expect((await h.call(UPDATE, null, '10.0.0.6', { keyId: 'x', name: 'y' })).status).toBe(401);
      expect((await h.callWith(UPDATE, { 'x-process-manager-key': '  ' }, '10.0.0.6', {})).status).toBe(401);
    }
    expect((await h.call(VERIFY, h.keys.owner.raw, '10.0.0.6')).status).toBe(200);
  });

  it('does not count known keys that may not be used (revoked, expired): a forgotten cron job is no guesser', async () => {
    const h = await harness({ max: 3, windowMs: 60_000 });
    for (let i = 0; i < 100; i++) {
      expect((await h.call(VERIFY, h.keys.revoked.raw, '10.0.0.12')).status).toBe(401);
      if (i % 10 === 0) expect((await h.call(UPDATE, h.keys.expired.raw, '10.0.0.12', { keyId: 'x' })).status).toBe(401);
    }
    // The neighbour behind the same address is served, and still has its whole budget of guesses.
    expect((await h.call(VERIFY, h.keys.owner.raw, '10.0.0.12')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await h.call(VERIFY, unknownKey(), '10.0.0.12')).status).toBe(401);
    expect((await h.call(VERIFY, h.keys.owner.raw, '10.0.0.12')).status).toBe(429);
  });

  it('counts unknown and malformed session cookies', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 });
    const cookie = (value: string) => ({ cookie: `codika_session=${value}`, 'x-codika-csrf': '1' });
    expect((await h.callWith(LIST, cookie('A'.repeat(43)), '10.0.0.13', {})).status).toBe(401);
    expect((await h.callWith(LIST, cookie('short'), '10.0.0.13', {})).status).toBe(401);
    expect((await h.callWith(LIST, cookie('B'.repeat(43)), '10.0.0.13', {})).status).toBe(429);
  });

  it('never refuses the probes, the OpenAPI document or the dashboard of a throttled source', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await h.call(VERIFY, unknownKey(), '10.0.0.14');
    expect((await h.call(VERIFY, h.keys.owner.raw, '10.0.0.14')).status).toBe(429);
    expect(await h.get('/healthz', '10.0.0.14')).toBe(200);
    expect(await h.get('/readyz', '10.0.0.14')).toBe(200);
    expect(await h.get('/openapi.json', '10.0.0.14')).toBe(200);
    expect([200, 503]).toContain(await h.get('/', '10.0.0.14'));
    expect(await h.get('/assets/nope.js', '10.0.0.14')).toBe(404);
  });

  it('slides: the source may try again once its failures leave the window, and Retry-After says when', async () => {
    const h = await harness({ max: 2, windowMs: 10_000 });
    await h.call(VERIFY, unknownKey(), '10.0.0.7');
    h.clock.advance(4_000);
    await h.call(VERIFY, unknownKey(), '10.0.0.7');
    const limited = await h.call(VERIFY, h.keys.owner.raw, '10.0.0.7');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('6');
    h.clock.advance(6_000);
    // The first failure has left the window: one more attempt is allowed.
    expect((await h.call(VERIFY, h.keys.owner.raw, '10.0.0.7')).status).toBe(200);
    expect((await h.call(VERIFY, unknownKey(), '10.0.0.7')).status).toBe(401);
    expect((await h.call(VERIFY, h.keys.owner.raw, '10.0.0.7')).status).toBe(429);
  });

  it('does not count successes, 403s or 404s', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 });
    for (let i = 0; i < 5; i++) {
      expect((await h.call(VERIFY, h.keys.owner.raw, '10.0.0.8')).status).toBe(200);
      expect((await h.call(UPDATE, h.keys.member.raw, '10.0.0.8', { keyId: h.keys.target.id, name: 'x' })).status).toBe(403);
      expect((await h.call(UPDATE, h.keys.owner.raw, '10.0.0.8', { keyId: h.keys.otherTarget.id, name: 'x' })).status).toBe(404);
    }
    expect((await h.call(VERIFY, unknownKey(), '10.0.0.8')).status).toBe(401);
  });

  it('counts failed dashboard sign-ins (the key in the body) and refuses them once throttled', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 });
    const signIn = (apiKey: string) => h.callWith('/dashboard/api/session', { 'x-codika-csrf': '1' }, '10.0.0.10', { apiKey });
    expect((await signIn(unknownKey())).status).toBe(401);
    expect((await signIn(badChecksumKey(h.keys.owner.raw))).status).toBe(401);
    const before = h.storeCalls();
    const res = await signIn(h.keys.owner.raw);
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('RATE_LIMITED');
    expect(h.storeCalls()).toBe(before);
    expect(
      (await h.callWith('/dashboard/api/session', { 'x-codika-csrf': '1' }, '10.0.0.11', { apiKey: h.keys.owner.raw })).status,
    ).toBe(200);
  });

  it('is on by default (20 failures per minute) and can be turned off', async () => {
    const on = await harness();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await on.call(VERIFY, unknownKey(), '10.0.0.9')).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);

    const off = await harness(false);
    for (let i = 0; i < 30; i++) expect((await off.call(VERIFY, unknownKey(), '10.0.0.9')).status).toBe(401);
  });
});

describe('the client address behind trusted proxies', () => {
  it('behind a trusted proxy, each forwarded client has its own budget', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 }, ['10.9.0.0/16']);
    const via = (client: string, key: string) =>
      h.callWith(VERIFY, { 'x-process-manager-key': key, 'x-forwarded-for': client }, '10.9.0.1', {});
    for (let i = 0; i < 2; i++) expect((await via('203.0.113.1', unknownKey())).status).toBe(401);
    expect((await via('203.0.113.1', h.keys.owner.raw)).status).toBe(429);
    // Another client behind the same proxy is not throttled.
    expect((await via('203.0.113.2', h.keys.owner.raw)).status).toBe(200);
  });

  it('from a peer that is not a trusted proxy, X-Forwarded-For is ignored (no escape by spoofing)', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 }, ['10.9.0.0/16']);
    const spoofed = (i: number, key: string) =>
      h.callWith(VERIFY, { 'x-process-manager-key': key, 'x-forwarded-for': `198.51.100.${i}` }, '192.0.2.50', {});
    for (let i = 0; i < 2; i++) expect((await spoofed(i, unknownKey())).status).toBe(401);
    for (let i = 2; i < 10; i++) expect((await spoofed(i, h.keys.owner.raw)).status).toBe(429);
  });

  it('without trusted proxies, X-Forwarded-For is ignored', async () => {
    const h = await harness({ max: 2, windowMs: 60_000 });
    const spoofed = (i: number, key: string) =>
      h.callWith(VERIFY, { 'x-process-manager-key': key, 'x-forwarded-for': `198.51.100.${i}` }, '127.0.0.1', {});
    for (let i = 0; i < 2; i++) expect((await spoofed(i, unknownKey())).status).toBe(401);
    expect((await spoofed(7, h.keys.owner.raw)).status).toBe(429);
  });
});

describe('AuthFailureThrottle', () => {
  it('tracks at most maxSources addresses, forgetting the least recently failing first', () => {
    const t = new AuthFailureThrottle({ max: 2, windowMs: 60_000, maxSources: 100 });
    for (let i = 0; i < 1000; i++) t.recordFailure(`10.1.${i >> 8}.${i & 255}`, 1000);
    expect(t.size).toBe(100);
    // The newest are kept, the oldest gone.
    t.recordFailure('10.1.3.231', 1000);
    expect(t.retryAfterSeconds('10.1.3.231', 1000)).toBeGreaterThan(0);
    expect(t.retryAfterSeconds('10.1.0.0', 1000)).toBe(0);
  });

  it('keeps at most max timestamps per source and forgets a source whose window is empty', () => {
    const t = new AuthFailureThrottle({ max: 3, windowMs: 1000 });
    for (let i = 0; i < 100; i++) t.recordFailure('a', i);
    expect(t.retryAfterSeconds('a', 100)).toBe(1);
    expect(t.retryAfterSeconds('a', 1100)).toBe(0);
    expect(t.size).toBe(0);
  });

  it('refuses nonsense budgets', () => {
    expect(() => new AuthFailureThrottle({ max: 0, windowMs: 1000 })).toThrow(RangeError);
    expect(() => new AuthFailureThrottle({ max: 1, windowMs: 0 })).toThrow(RangeError);
    expect(() => new AuthFailureThrottle({ max: 1, windowMs: 1, maxSources: 0 })).toThrow(RangeError);
  });
});
