/**
 * The per-key share: at most `perKey` requests of one credential are served at once; the
 * others wait their turn in arrival order (before their key is looked up) and get 429 only
 * after maxWaitMs; other keys never wait for them.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../store/types.js';
import { createTestApp, overrideStore } from '../test-support/http.js';
import { KeyConcurrency } from './key-concurrency.js';

const LIST = '/listorganizationapikeyspublic';

describe('KeyConcurrency', () => {
  it('serves perKey at once per lane, then hands turns over in arrival order', async () => {
    const c = new KeyConcurrency({ perKey: 2, maxWaitMs: 10_000 });
    const order: string[] = [];
    const r1 = await c.acquire('a');
    const r2 = await c.acquire('a');
    const third = c.acquire('a').then((release) => {
      order.push('third');
      return release;
    });
    const fourth = c.acquire('a').then((release) => {
      order.push('fourth');
      return release;
    });
    const other = await c.acquire('b');
    expect(c.active('a')).toBe(2);
    expect(c.waiting('a')).toBe(2);
    expect(c.active('b')).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    r1();
    r1(); // a second call gives nothing back twice
    const r3 = await third;
    expect(order).toEqual(['third']);
    expect(c.waiting('a')).toBe(1);
    r2();
    const r4 = await fourth;
    expect(order).toEqual(['third', 'fourth']);
    r3();
    r4();
    other();
    expect(c.active('a')).toBe(0);
    expect(c.active('b')).toBe(0);
  });

  it('a request that waited maxWaitMs is refused with 429 RATE_LIMITED and leaves the queue', async () => {
    const c = new KeyConcurrency({ perKey: 1, maxWaitMs: 50 });
    const held = await c.acquire('a');
    await expect(c.acquire('a')).rejects.toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(c.waiting('a')).toBe(0);
    held();
    const again = await c.acquire('a');
    again();
  });

  it('refuses nonsense limits', () => {
    expect(() => new KeyConcurrency({ perKey: 0, maxWaitMs: 1 })).toThrow(RangeError);
    expect(() => new KeyConcurrency({ perKey: 1, maxWaitMs: -1 })).toThrow(RangeError);
  });
});

describe('the share in the app', () => {
  async function gatedApp(perKey: number, maxWaitMs = 10_000) {
    let entered = 0;
    const gates: (() => void)[] = [];
    const t = await createTestApp({
      keyConcurrency: { perKey, maxWaitMs },
      wrapStore: (store: Store) =>
        overrideStore(store, {
          listLiveKeys: async (organizationId, now) => {
            entered++;
            await new Promise<void>((r) => gates.push(r));
            return store.listLiveKeys(organizationId, now);
          },
        }),
    });
    const open = () => {
      for (const gate of gates.splice(0)) gate();
    };
    return { t, entered: () => entered, open };
  }

  it('a key past its share waits before any work of its own; another key is served meanwhile', async () => {
    const { t, entered, open } = await gatedApp(2);
    const flood = Array.from({ length: 5 }, () => t.call(LIST, {}, { key: t.keys.owner.raw }));
    await new Promise((r) => setTimeout(r, 100));
    expect(entered()).toBe(2);
    // Another organization's key: not behind the flood.
    const other = await t.call('/verifyapikey', {}, { key: t.keys.other.raw });
    expect(other.status).toBe(200);
    for (let round = 0; round < 3 && entered() < 5; round++) {
      open();
      await new Promise((r) => setTimeout(r, 50));
    }
    open();
    const answers = await Promise.all(flood);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(entered()).toBe(5);
    await t.close();
  });

  it('past maxWaitMs the waiting request is answered 429 with Retry-After: 1, in the envelope', async () => {
    const { t, open } = await gatedApp(1, 100);
    const first = t.call(LIST, {}, { key: t.keys.owner.raw });
    await new Promise((r) => setTimeout(r, 20));
    const second = await t.call(LIST, {}, { key: t.keys.owner.raw });
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(second.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
    expect(second.body.error.message).toMatch(/at once/);
    open();
    expect((await first).status).toBe(200);
    await t.close();
  });

  it('gives every turn back: a hundred requests one after another never wait, whatever their answer', async () => {
    const t = await createTestApp({ keyConcurrency: { perKey: 2, maxWaitMs: 200 } });
    const started = performance.now();
    const statuses = new Set<number>();
    for (let i = 0; i < 100; i++) {
      const path = i % 3 === 0 ? LIST : i % 3 === 1 ? '/verifyapikey' : '/getorganizationapikeypublic';
      statuses.add((await t.call(path, i % 3 === 2 ? { keyId: 'nope' } : {}, { key: t.keys.owner.raw })).status);
    }
    expect([...statuses].sort()).toEqual([200, 404]);
    expect(performance.now() - started).toBeLessThan(10_000);
    await t.close();
  });
});
