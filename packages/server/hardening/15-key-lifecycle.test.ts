/**
 * Figure 15, the key lifecycle (issue 12), on SQLite and on PostgreSQL when available.
 *
 * 15a — IP allowlist bypass attempts. The target key may be used from 10.0.0.0/8 and
 * 2001:db8::/32 only; the app trusts one proxy (192.0.2.1, as `--trust-proxy` would). Every
 * attempt below comes from outside — a spoofed X-Forwarded-For (or X-Real-IP, Forwarded,
 * X-Client-IP) from an untrusted peer, an outside address in IPv4-mapped IPv6 form, a client's
 * own X-Forwarded-For entry in front of what the trusted proxy appended, odd address forms
 * (octal, hex, zone index) forwarded by the proxy — or tries to store a malformed CIDR, or
 * presents the key while its stored list is one nobody can parse. Figure: attempts accepted
 * (bound 0). Control: requests from inside are accepted (all of them), so the refusals are
 * the allowlist's and not a broken key.
 *
 * 15b — rotation races. 100 requests at once on one key: 50 rotations (grace 1 h) and 50
 * verifications with the key's original secret. While they run, a sampler asks the database in
 * one statement (one snapshot) how many of the secrets issued so far it would accept; after
 * them, every issued secret is presented. Figures: the most secrets accepted at one instant
 * (bound ≤ 2), secrets accepted at the end (bound ≤ 2), acknowledged rotations missing from the
 * audit log (bound 0), allowed `key.rotate` rows minus rotations answered 200 (bound 0).
 */
import { OPERATIONS } from '@codika/contract';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, it } from 'vitest';
import { hashKey } from '../src/secrets.js';
import type { SqlStore } from '../src/store/sql-store.js';
import { figure, note } from './support/figures.js';
import { appOver, ipOf, NOW, post, postgresAvailable, postgresWorld, sqliteWorld, type World } from './support/world.js';

const SUITE = 'figure 15 key lifecycle';
const UPDATE = OPERATIONS.updateKey.path;
const ROTATE = OPERATIONS.rotateKey.path;
const VERIFY = OPERATIONS.verifyApiKey.path;
const PROXY = '192.0.2.1';
const OUTSIDE = '203.0.113.9';
const ALLOWED = ['10.0.0.0/8', '2001:db8::/32'];

function dbOf(world: World): Kysely<unknown> {
  // biome-ignore lint/complexity/useLiteralKeys: reaching into the store's Kysely instance for the figure
  return (world.store as SqlStore)['db'] as unknown as Kysely<unknown>;
}

const backends: { name: string; make: () => Promise<World> }[] = [{ name: 'sqlite', make: () => sqliteWorld() }];
const pgSupport = await postgresAvailable();
if (typeof pgSupport === 'string') note(SUITE, `PostgreSQL figures skipped: ${pgSupport}`);
else backends.push({ name: 'postgres', make: () => postgresWorld(pgSupport) });

const worlds: World[] = [];
afterAll(async () => {
  for (const world of worlds.splice(0)) await world.close();
});

interface Attempt {
  what: string;
  ip: string;
  headers?: Record<string, string>;
}

const BYPASS_ATTEMPTS: Attempt[] = [
  { what: 'X-Forwarded-For from an untrusted peer', ip: OUTSIDE, headers: { 'x-forwarded-for': '10.1.2.3' } },
  { what: 'X-Forwarded-For chain from an untrusted peer', ip: OUTSIDE, headers: { 'x-forwarded-for': '10.1.2.3, 10.9.9.9' } },
  { what: 'IPv6 X-Forwarded-For from an untrusted peer', ip: OUTSIDE, headers: { 'x-forwarded-for': '2001:db8::1' } },
  { what: 'X-Real-IP', ip: OUTSIDE, headers: { 'x-real-ip': '10.1.2.3' } },
  { what: 'Forwarded', ip: OUTSIDE, headers: { forwarded: 'for=10.1.2.3' } },
  { what: 'X-Client-IP', ip: OUTSIDE, headers: { 'x-client-ip': '10.1.2.3' } },
  { what: 'an outside IPv4 peer in IPv4-mapped IPv6 form', ip: `::ffff:${OUTSIDE}` },
  { what: 'an outside IPv6 peer next to the range', ip: '2001:db9::1' },
  { what: 'an IPv4-mapped peer with a spoofed header', ip: `::ffff:${OUTSIDE}`, headers: { 'x-forwarded-for': '10.1.2.3' } },
  { what: "a client's own entry before the trusted proxy's", ip: PROXY, headers: { 'x-forwarded-for': `10.1.2.3, ${OUTSIDE}` } },
  {
    what: 'a mapped inside address before the proxy entry',
    ip: PROXY,
    headers: { 'x-forwarded-for': `::ffff:10.1.2.3, ${OUTSIDE}` },
  },
  { what: 'an octal address forwarded by the proxy', ip: PROXY, headers: { 'x-forwarded-for': '012.1.2.3' } },
  { what: 'a hex address forwarded by the proxy', ip: PROXY, headers: { 'x-forwarded-for': '0x0a.1.2.3' } },
  { what: 'a short address forwarded by the proxy', ip: PROXY, headers: { 'x-forwarded-for': '10.1' } },
  { what: 'a zone index forwarded by the proxy', ip: PROXY, headers: { 'x-forwarded-for': 'fe80::1%eth0' } },
  { what: 'garbage forwarded by the proxy', ip: PROXY, headers: { 'x-forwarded-for': 'not-an-address' } },
  { what: 'the proxy itself, no header', ip: PROXY },
  { what: 'an untrusted peer claiming to be the proxy', ip: OUTSIDE, headers: { 'x-forwarded-for': `10.1.2.3, ${PROXY}` } },
];

const MALFORMED_CIDRS: unknown[] = [
  ['10.0.0.1/8'],
  ['10.0.0.0/8/8'],
  ['10.0.0.0/-1'],
  ['10.0.0.0/33'],
  ['2001:db8::/129'],
  ['0x0a.0.0.0/8'],
  ['012.0.0.0/8'],
  ['10.1/16'],
  ['::ffff:0.0.0.0/96'],
  ['::ffff:10.0.0.0/104'],
  ['fe80::%eth0/64'],
  ['*'],
  ['10.*'],
  ['10.0.0.0/8,0.0.0.0/0'],
  ['１０.0.0.0/8'],
  ['10.0.0.0\n/8'],
  [''],
  [],
  Array.from({ length: 51 }, (_, i) => `10.${i}.0.0/16`),
  'not a list',
  [10],
];

const UNPARSEABLE_STORED = ['{broken', '["10.0.0.0/8", 7]', '["10.0.0.1/8"]', '["0x0a.0.0.0/8"]', '"10.0.0.0/8"', '[]'];

describe.each(backends)('$name', ({ make }) => {
  it('15a: allowlist bypass attempts → 0 accepted', async () => {
    const world = await make();
    worlds.push(world);
    const { app, close } = await appOver(world.store, { trustProxy: [PROXY] });
    const { keys } = world.seed;
    const label = world.backend;
    try {
      const set = await post(app, UPDATE, { key: keys.owner.raw, body: { keyId: keys.target.id, allowedIps: ALLOWED } });
      if (set.status !== 200) throw new Error(`setting the allowlist failed: ${set.text}`);

      let accepted = 0;
      const examples: string[] = [];
      for (const attempt of BYPASS_ATTEMPTS) {
        const res = await app.inject({
          method: 'POST',
          url: VERIFY,
          headers: { 'content-type': 'application/json', 'x-process-manager-key': keys.target.raw, ...attempt.headers },
          payload: '{}',
          remoteAddress: attempt.ip,
        });
        if (res.statusCode !== 401) {
          accepted++;
          examples.push(`${attempt.what} → ${res.statusCode}`);
        }
      }
      figure(
        SUITE,
        `${label}: allowlist bypass requests accepted (of ${BYPASS_ATTEMPTS.length})`,
        accepted,
        { eq: 0 },
        examples.join('; ') || undefined,
      );

      let cidrsAccepted = 0;
      for (const allowedIps of MALFORMED_CIDRS) {
        const res = await post(app, UPDATE, { key: keys.owner.raw, body: { keyId: keys.target.id, allowedIps } });
        if (res.status === 200) cidrsAccepted++;
      }
      figure(SUITE, `${label}: malformed allowlists stored (of ${MALFORMED_CIDRS.length})`, cidrsAccepted, { eq: 0 });

      // Control: from inside, directly and through the trusted proxy, the key is served.
      const inside: Attempt[] = [
        { what: 'inside IPv4', ip: '10.1.2.3' },
        { what: 'inside IPv4, mapped', ip: '::ffff:10.1.2.3' },
        { what: 'inside IPv6', ip: '2001:db8::42' },
        { what: 'inside through the proxy', ip: PROXY, headers: { 'x-forwarded-for': '10.1.2.3' } },
        { what: 'inside IPv6 through the proxy', ip: PROXY, headers: { 'x-forwarded-for': '2001:db8::42' } },
      ];
      let served = 0;
      for (const attempt of inside) {
        const res = await app.inject({
          method: 'POST',
          url: VERIFY,
          headers: { 'content-type': 'application/json', 'x-process-manager-key': keys.target.raw, ...attempt.headers },
          payload: '{}',
          remoteAddress: attempt.ip,
        });
        if (res.statusCode === 200) served++;
      }
      figure(SUITE, `${label}: control, requests from inside served (of ${inside.length})`, served, { eq: inside.length });

      // A stored list nobody can parse fails closed, even for an address inside what it seems to say.
      let storedAccepted = 0;
      for (const stored of UNPARSEABLE_STORED) {
        await sql`update api_keys set allowed_ips = ${stored} where id = ${keys.target.id}`.execute(dbOf(world));
        const res = await post(app, VERIFY, { key: keys.target.raw, body: {}, ip: '10.1.2.3' });
        if (res.status !== 401) storedAccepted++;
      }
      figure(
        SUITE,
        `${label}: requests accepted under an unparseable stored list (of ${UNPARSEABLE_STORED.length})`,
        storedAccepted,
        {
          eq: 0,
        },
      );
    } finally {
      await close();
    }
  });

  it('15b: 100 concurrent rotate/verify → at most two live secrets, every acknowledged rotation audited', async () => {
    const world = await make();
    worlds.push(world);
    const { app, close } = await appOver(world.store);
    const { keys } = world.seed;
    const label = world.backend;
    const db = dbOf(world);
    const issued: string[] = [keys.target.raw];
    let sampling = true;
    let maxAccepted = 0;
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        const hashes = issued.map(hashKey);
        // One statement, one snapshot: how many of the issued secrets would authenticate now.
        const { rows } = await sql<{ n: number | string | null }>`
          select sum(
            (case when hash in (${sql.join(hashes)}) then 1 else 0 end) +
            (case when previous_hash in (${sql.join(hashes)}) and previous_hash_expires_at > ${NOW} then 1 else 0 end)
          ) as n from api_keys`.execute(db);
        maxAccepted = Math.max(maxAccepted, Number(rows[0]?.n ?? 0));
        samples++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      const answers = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          if (i % 2 === 0) {
            const res = await post(app, ROTATE, {
              key: keys.owner.raw,
              body: { keyId: keys.target.id, gracePeriodSeconds: 3600 },
            });
            if (res.status === 200) issued.push(res.body.data.apiKey);
            return { kind: 'rotate' as const, res };
          }
          // Each from its own address: a secret rotated out is unknown, a guess the throttle counts.
          return { kind: 'verify' as const, res: await post(app, VERIFY, { key: keys.target.raw, body: {}, ip: ipOf(i) }) };
        }),
      );
      sampling = false;
      await sampler;

      const rotations = answers.filter((a) => a.kind === 'rotate');
      const acknowledged = rotations.filter((a) => a.res.status === 200);
      note(
        SUITE,
        `${label}: ${acknowledged.length}/${rotations.length} rotations answered 200; verifications with the original secret: ${
          answers.filter((a) => a.kind === 'verify' && a.res.status === 200).length
        } × 200, ${answers.filter((a) => a.kind === 'verify' && a.res.status === 401).length} × 401; ${samples} database samples`,
      );
      figure(SUITE, `${label}: most issued secrets accepted at one instant (${samples} samples)`, maxAccepted, { max: 2 });

      let acceptedAtEnd = 0;
      const accepted: string[] = [];
      for (const [i, secret] of issued.entries()) {
        if ((await post(app, VERIFY, { key: secret, body: {}, ip: ipOf(1000 + i) })).status === 200) {
          acceptedAtEnd++;
          accepted.push(secret);
        }
      }
      figure(SUITE, `${label}: issued secrets accepted after the race (of ${issued.length})`, acceptedAtEnd, { max: 2 });
      // Control: the secret of the rotation committed last is one of them (its audit row is the newest).
      const last = (await post(app, OPERATIONS.getKey.path, { key: keys.owner.raw, body: { keyId: keys.target.id } })).body.data
        ?.keyPrefix as string | undefined;
      figure(
        SUITE,
        `${label}: control, the current secret (prefix ${last ?? '?'}) is among those accepted`,
        accepted.some((secret) => last !== undefined && secret.startsWith(last)) ? 1 : 0,
        { eq: 1 },
      );

      const rows = (await world.audit()).filter((r) => r.action === 'key.rotate' && r.targetKeyId === keys.target.id);
      const allowedIds = new Set(rows.filter((r) => r.result === 'allowed').map((r) => r.requestId));
      const missing = acknowledged.filter((a) => !allowedIds.has(a.res.body.requestId)).length;
      figure(SUITE, `${label}: acknowledged rotations missing from the audit log`, missing, { eq: 0 });
      figure(SUITE, `${label}: allowed key.rotate rows minus rotations answered 200`, allowedIds.size - acknowledged.length, {
        eq: 0,
      });
    } finally {
      sampling = false;
      await sampler;
      await close();
    }
  });
});
