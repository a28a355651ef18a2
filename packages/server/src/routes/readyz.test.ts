import { describe, expect, it } from 'vitest';
import type { Store } from '../store/types.js';
import { createTestApp, overrideStore } from '../test-support/http.js';

describe('GET /readyz', () => {
  it('answers 200 when the database answers', async () => {
    const t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    await t.close();
  });

  it('answers 503 when it does not, without details', async () => {
    const t = await createTestApp({
      wrapStore: (store: Store) =>
        overrideStore(store, {
          ping: async () => {
            throw new Error('SQLITE_CANTOPEN /secret/path.db');
          },
        }),
    });
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable' });
    expect(t.logs.text()).toContain('SQLITE_CANTOPEN');
    await t.close();
  });

  it('answers 503 when the check has not answered within 2 s (a write lock held elsewhere), and probes share one check', async () => {
    let pings = 0;
    const t = await createTestApp({
      wrapStore: (store: Store) =>
        overrideStore(store, {
          ping: () => {
            pings++;
            return new Promise<void>(() => {});
          },
        }),
    });
    const started = performance.now();
    const [a, b] = await Promise.all([
      t.app.inject({ method: 'GET', url: '/readyz' }),
      t.app.inject({ method: 'GET', url: '/readyz' }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([503, 503]);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(pings).toBe(1);
    await t.close();
  });
});
