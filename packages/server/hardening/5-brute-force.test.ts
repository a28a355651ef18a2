/**
 * Figure 5, brute force: the app runs with the default budget (20 failed authentications per
 * source per minute) over a Store wrapped in a counting proxy, so every query the requests
 * cause is counted. Guesses come from one address until it is throttled; a valid key from
 * another address must be unaffected; malformed and bad-checksum keys must cause no query.
 *
 * Neighbours: a real process behind a trusted proxy (--trust-proxy loopback, clients named by
 * X-Forwarded-For). A client whose neighbour (same address) used a revoked key 100 times must
 * be served; a throttled client still gets the probes, the OpenAPI document and the dashboard;
 * another client behind the same proxy keeps its own budget. And an app trusting one proxy
 * range, called from a peer outside it with a new X-Forwarded-For on every guess, must not
 * escape its budget.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '@codika/contract';
import { generateKey } from '@codika/contract/keys';
import { describe, it } from 'vitest';
import { DEFAULT_AUTH_FAILURE_BUDGET } from '../src/http/auth-throttle.js';
import type { Store } from '../src/store/types.js';
import { figure } from './support/figures.js';
import { httpPost, startServer, stopServer } from './support/server-process.js';
import { appOver, ipOf, post, scratchDir, sqliteWorld } from './support/world.js';

const VERIFY = OPERATIONS.verifyApiKey.path;
const UPDATE = OPERATIONS.updateKey.path;

function countingStore(store: Store): { store: Store; count(): number } {
  let calls = 0;
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, count: () => calls };
}

function badChecksum(raw: string, i: number): string {
  const body = raw.slice(0, -6);
  const sum = raw.slice(-6);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const c = alphabet[i % 26] as string;
  const changed = sum.slice(0, 5) + (sum.at(-1) === c ? alphabet[(i + 1) % 26] : c);
  return body + changed;
}

/** Keys that the format or checksum check must refuse before any lookup. */
function malformedKeys(valid: string): string[] {
  const out = [
    '',
    ' ',
    'x',
    'cko_',
    'cko_short',
    `${valid}x`,
    valid.slice(0, -1),
    valid.toUpperCase(),
    `ckp_${valid.slice(4)}`,
    `cka_${valid.slice(4)}`,
    `Bearer ${valid}`,
    valid.replace(/.$/, '!'),
    `cko_${'\u0000'.repeat(28)}`,
    `cko_${'é'.repeat(28)}`,
    'a'.repeat(10_000),
    `${valid},${valid}`,
  ];
  for (let i = 0; i < 100; i++) out.push(badChecksum(generateKey('cko_'), i));
  for (let i = 0; i < 20; i++) out.push(badChecksum(valid, i));
  return out;
}

describe('figure 5: brute force', () => {
  it('throttles guessing from one source, leaves others alone, and never queries for malformed keys', async () => {
    const suite = 'brute force';
    const world = await sqliteWorld();
    const counted = countingStore(world.store);
    const wapp = await appOver(counted.store);
    try {
      const valid = world.seed.keys.owner.raw;
      const attacker = '203.0.113.7';

      // 1. Well-formed, unknown keys (each costs a lookup) from one address until refused.
      let attempts = 0;
      let first429: Awaited<ReturnType<typeof post>> | undefined;
      for (let i = 0; i < 1000 && !first429; i++) {
        const res = await post(wapp.app, i % 2 === 0 ? VERIFY : UPDATE, { key: generateKey('cko_'), body: {}, ip: attacker });
        if (res.status === 429) first429 = res;
        else attempts++;
      }
      const retryAfter = Number(first429?.headers['retry-after']);
      figure(suite, 'failed attempts until throttled (default budget)', attempts, { eq: DEFAULT_AUTH_FAILURE_BUDGET.max });
      figure(
        suite,
        'throttled answers without RATE_LIMITED and a Retry-After in seconds',
        first429?.body?.error?.code === 'RATE_LIMITED' && retryAfter >= 1 && retryAfter <= 60 ? 0 : 1,
        { eq: 0 },
      );

      // 2. While throttled: more guesses, and even the valid key, from that address cause no query.
      const before = counted.count();
      let throttledOk = 0;
      for (let i = 0; i < 200; i++) {
        const res = await post(wapp.app, VERIFY, { key: i % 10 === 0 ? valid : generateKey('cko_'), body: {}, ip: attacker });
        if (res.status !== 429) throttledOk++;
      }
      figure(suite, 'requests from the throttled source not refused 429', throttledOk, { eq: 0 });
      figure(suite, 'database queries caused by requests from the throttled source', counted.count() - before, { eq: 0 });

      // 3. Another source, valid key: unaffected.
      let refused = 0;
      for (let i = 0; i < 100; i++) {
        const res = await post(wapp.app, VERIFY, { key: valid, body: {}, ip: '198.51.100.20' });
        if (res.status !== 200) refused++;
      }
      figure(suite, 'valid calls from another source refused (of 100)', refused, { eq: 0 });

      // 4. Malformed and bad-checksum keys, each from a fresh address (never throttled): 401, and no query at all.
      const keys = malformedKeys(valid);
      const beforeMalformed = counted.count();
      let not401 = 0;
      for (let i = 0; i < keys.length; i++) {
        for (const path of [VERIFY, UPDATE, OPERATIONS.createKey.path, OPERATIONS.revokeKey.path]) {
          const res = await post(wapp.app, path, {
            key: keys[i] as string,
            body: { keyId: world.seed.keys.target.id },
            ip: ipOf(10_000 + i),
          });
          if (res.status !== 401) not401++;
        }
      }
      figure(
        suite,
        `database queries caused by ${keys.length * 4} malformed or bad-checksum keys`,
        counted.count() - beforeMalformed,
        { eq: 0 },
      );
      figure(suite, 'malformed or bad-checksum keys not answered 401', not401, { eq: 0 });

      // 5. The control: an unknown well-formed key does reach the store (the counter counts).
      const beforeUnknown = counted.count();
      await post(wapp.app, VERIFY, { key: generateKey('cko_'), body: {}, ip: '198.51.100.99' });
      figure(
        suite,
        'database queries caused by one unknown well-formed key (control: the counter counts)',
        counted.count() - beforeUnknown,
        { min: 1 },
      );
    } finally {
      await wapp.close();
      await world.close();
    }
  });

  it('a real server process takes its budget from --auth-failure-budget', async () => {
    const dir = scratchDir('codika-budget-');
    const server = await startServer(['--db', join(dir, 'codika.db'), '--first-run-bootstrap', '--auth-failure-budget', '3/60']);
    try {
      let attempts = 0;
      let limited: Awaited<ReturnType<typeof httpPost>> | undefined;
      for (let i = 0; i < 50 && !limited; i++) {
        const res = await httpPost(server.url, VERIFY, generateKey('cko_'), {});
        if (res.status === 429) limited = res;
        else attempts++;
      }
      figure('brute force', 'failed attempts until throttled (real process, --auth-failure-budget 3/60)', attempts, { eq: 3 });
      figure(
        'brute force',
        'real-process throttled answer not RATE_LIMITED',
        limited?.body?.error?.code === 'RATE_LIMITED' ? 0 : 1,
        { eq: 0 },
      );
    } finally {
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('neighbours: known keys do not count, probes are never refused, the client behind a proxy is the real one', async () => {
    const suite = 'neighbours';
    const dir = scratchDir('codika-neighbours-');
    const server = await startServer(['--db', join(dir, 'codika.db'), '--first-run-bootstrap', '--trust-proxy', 'loopback']);
    try {
      const owner = readFileSync(join(dir, 'owner-key'), 'utf8').trim();
      const as = async (client: string, key: string, path = VERIFY) => {
        const res = await fetch(`${server.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-process-manager-key': key, 'x-forwarded-for': client },
          body: '{}',
        });
        await res.arrayBuffer();
        return res.status;
      };
      // A revoked key, used 100 times by a forgotten job behind one address.
      const who = await httpPost(server.url, VERIFY, owner, {});
      const created = await httpPost(server.url, OPERATIONS.createKey.path, owner, {
        organizationId: who.body.data.organizationId,
        name: 'forgotten cron job',
        scopes: ['projects:read'],
      });
      const revokedKey = created.body.data.apiKey as string;
      await httpPost(server.url, OPERATIONS.revokeKey.path, owner, { keyId: created.body.data.keyId });
      const nat = '203.0.113.50';
      let revoked401 = 0;
      for (let i = 0; i < 100; i++) if ((await as(nat, revokedKey)) === 401) revoked401++;
      let refused = 0;
      for (let i = 0; i < 100; i++) if ((await as(nat, owner)) === 429) refused++;
      figure(suite, `revoked-key attempts answered 401 (of 100)`, revoked401, { eq: 100 });
      figure(suite, 'valid requests (of 100) refused 429 from an address whose neighbour used a revoked key 100 times', refused, {
        eq: 0,
      });

      // A client that guessed past its budget: its key routes are refused, its probes are not.
      const guesser = '203.0.113.66';
      for (let i = 0; i < DEFAULT_AUTH_FAILURE_BUDGET.max + 5; i++) await as(guesser, generateKey('cko_'));
      const throttled = await as(guesser, owner);
      let probesRefused = 0;
      for (const path of ['/healthz', '/readyz', '/openapi.json', '/', '/dashboard']) {
        const res = await fetch(`${server.url}${path}`, { headers: { 'x-forwarded-for': guesser } });
        await res.arrayBuffer();
        if (res.status === 429) probesRefused++;
      }
      figure(suite, 'a guesser past its budget is throttled on key routes (429 = 1)', throttled === 429 ? 1 : 0, { eq: 1 });
      figure(suite, 'probe, OpenAPI and dashboard requests (of 5) refused to a throttled client', probesRefused, {
        eq: 0,
      });
      let neighbourRefused = 0;
      for (let i = 0; i < 20; i++) if ((await as('203.0.113.67', owner)) !== 200) neighbourRefused++;
      figure(suite, 'valid requests (of 20) refused to another client behind the same trusted proxy', neighbourRefused, {
        eq: 0,
      });
    } finally {
      await stopServer(server);
      rmSync(dir, { recursive: true, force: true });
    }

    // Spoofing from a peer the server does not trust.
    const world = await sqliteWorld();
    const wapp = await appOver(world.store, { trustProxy: ['10.9.0.0/16'] });
    try {
      let answered401 = 0;
      for (let i = 0; i < 200; i++) {
        const res = await wapp.app.inject({
          method: 'POST',
          url: VERIFY,
          remoteAddress: '192.0.2.50',
          headers: {
            'content-type': 'application/json',
            'x-process-manager-key': generateKey('cko_'),
            'x-forwarded-for': `198.51.${i >> 8}.${i & 255}`,
          },
          payload: '{}',
        });
        if (res.statusCode === 401) answered401++;
      }
      figure(
        suite,
        'guesses past the budget answered by rotating a spoofed X-Forwarded-For from an untrusted peer',
        answered401 - DEFAULT_AUTH_FAILURE_BUDGET.max,
        { eq: 0 },
      );
    } finally {
      await wapp.close();
      await world.close();
    }
  });
});
