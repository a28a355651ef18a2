/**
 * Figure 3, races. Two scenarios on one key each, every request sent at once:
 *   - add/remove: ≥ 100 pairs, each adding one scope and removing another (the added and the
 *     removed sets are disjoint, so the final set is known whatever the order);
 *   - name+scopes: 120 updates of name+description, of scopes, and of all three together.
 * Judged from the audit log in commit order: each allowed row's `before` must be the previous
 * row's `after` (else an update was lost: it computed its result from a stale state), each
 * `after` must be what that request asked for applied to its `before`, and the key's final
 * state must be the last `after` (and, for add/remove, the known final set). Then: allowed
 * audit rows minus requests answered 200.
 *
 * Run on SQLite in one process, on SQLite with two real server processes sharing the file
 * (two instances), and on PostgreSQL in one process (a pool of connections) when available.
 */

import { OPERATIONS } from '@codika/contract';
import type { Scope } from '@codika/contract/scopes';
import SqliteDatabase from 'better-sqlite3';
import { describe, it } from 'vitest';
import type { KeyFields } from '../src/store/types.js';
import { seedKey } from '../src/test-support/http.js';
import { figure, note } from './support/figures.js';
import { httpPost, type ServerProcess, startServer, stopServer } from './support/server-process.js';
import { appOver, ipOf, NOW, post, postgresAvailable, postgresWorld, sqliteWorld, type World } from './support/world.js';

const UPDATE = OPERATIONS.updateKey.path;
const PAIRS = 100;
const NAME_SCOPE_UPDATES = 120;

const ANCHOR: Scope = 'projects:read';
const ADDED: Scope[] = ['deploy:use-case', 'projects:create', 'instances:read'];
const REMOVED: Scope[] = ['workflows:trigger', 'executions:read', 'instances:manage', 'skills:read'];
const ALL_RACE: Scope[] = [ANCHOR, ...ADDED, ...REMOVED];

type Send = (
  i: number,
  body: Record<string, unknown>,
) => Promise<{ status: number; body: { requestId?: string; data?: unknown } }>;

interface AuditRow {
  requestId: string;
  result: string;
  before: KeyFields | null;
  after: KeyFields | null;
}

interface Backend {
  label: string;
  world: World;
  send: Send;
  /** The key's update audit rows in commit order. */
  orderedAudit(keyId: string): Promise<AuditRow[]>;
  close(): Promise<void>;
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const sameSet = (a: readonly string[], b: readonly string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

function scopesFor(i: number): Scope[] {
  const out: Scope[] = [ANCHOR];
  [...ADDED, ...REMOVED].forEach((s, bit) => {
    if ((i >> bit) & 1) out.push(s);
  });
  return out;
}

interface RaceCounts {
  requests: number;
  non200: number;
  lost: number;
  mixed: number;
  auditMinusOk: number;
  examples: string[];
}

/** Walk the audit chain; `apply` says what a request should have made of `before`. */
function judgeChain(
  initial: KeyFields,
  rows: AuditRow[],
  final: KeyFields,
  apply: (requestId: string, before: KeyFields) => KeyFields | undefined,
  c: RaceCounts,
): KeyFields {
  let state = initial;
  const eq = (a: KeyFields, b: KeyFields) => a.name === b.name && a.description === b.description && sameSet(a.scopes, b.scopes);
  for (const row of rows) {
    if (row.result !== 'allowed' || !row.before || !row.after) continue;
    if (!eq(row.before, state)) {
      c.lost++;
      if (c.examples.length < 10)
        c.examples.push(`request ${row.requestId} read ${JSON.stringify(row.before)} but the state was ${JSON.stringify(state)}`);
    }
    const want = apply(row.requestId, row.before);
    if (!want || !eq(want, row.after)) {
      c.lost++;
      if (c.examples.length < 10)
        c.examples.push(`request ${row.requestId} wrote ${JSON.stringify(row.after)}, expected ${JSON.stringify(want)}`);
    }
    state = row.after;
  }
  if (!eq(state, final)) {
    c.lost++;
    c.examples.push(`final ${JSON.stringify(final)} is not the last audited state ${JSON.stringify(state)}`);
  }
  return state;
}

async function liveFields(world: World, keyId: string): Promise<KeyFields> {
  const key = await world.store.getLiveKey(world.seed.orgA.id, keyId, new Date().toISOString());
  if (!key) throw new Error('race key vanished');
  return { name: key.name, description: key.description, scopes: key.scopes };
}

async function raceAddRemove(b: Backend, keyId: string): Promise<RaceCounts> {
  const c: RaceCounts = { requests: 0, non200: 0, lost: 0, mixed: 0, auditMinusOk: 0, examples: [] };
  const initial = await liveFields(b.world, keyId);
  const ops = new Map<string, { add?: Scope; remove?: Scope }>();
  const requests: Promise<void>[] = [];
  let ok = 0;
  for (let i = 0; i < PAIRS; i++) {
    const add = ADDED[i % ADDED.length] as Scope;
    const remove = REMOVED[i % REMOVED.length] as Scope;
    for (const [j, body] of [
      [2 * i, { keyId, addScopes: [add] }],
      [2 * i + 1, { keyId, removeScopes: [remove] }],
    ] as const) {
      requests.push(
        b.send(j, body).then((res) => {
          c.requests++;
          if (res.status !== 200) {
            c.non200++;
            if (c.examples.length < 10)
              c.examples.push(`${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
            return;
          }
          ok++;
          ops.set(res.body.requestId as string, 'addScopes' in body ? { add } : { remove });
        }),
      );
    }
  }
  await Promise.all(requests);
  const rows = await b.orderedAudit(keyId);
  const final = await liveFields(b.world, keyId);
  judgeChain(
    initial,
    rows,
    final,
    (rid, before) => {
      const op = ops.get(rid);
      if (!op) return undefined;
      const scopes = new Set(before.scopes);
      if (op.add) scopes.add(op.add);
      if (op.remove) scopes.delete(op.remove);
      return { ...before, scopes: [...scopes] };
    },
    c,
  );
  const expectedFinal = [ANCHOR, ...ADDED];
  if (!sameSet(final.scopes, expectedFinal)) {
    const missing = expectedFinal.filter((s) => !final.scopes.includes(s)).length;
    const extra = final.scopes.filter((s) => !expectedFinal.includes(s)).length;
    c.lost += missing + extra;
    c.examples.push(`final scopes ${final.scopes.join(',')} ≠ ${expectedFinal.join(',')}`);
  }
  c.auditMinusOk = rows.filter((r) => r.result === 'allowed').length - ok;
  return c;
}

async function raceNameScopes(b: Backend, keyId: string): Promise<RaceCounts> {
  const c: RaceCounts = { requests: 0, non200: 0, lost: 0, mixed: 0, auditMinusOk: 0, examples: [] };
  const initial = await liveFields(b.world, keyId);
  const asked = new Map<string, Record<string, unknown>>();
  let ok = 0;
  await Promise.all(
    Array.from({ length: NAME_SCOPE_UPDATES }, (_, i) => {
      const kind = i % 3;
      const body: Record<string, unknown> = { keyId };
      if (kind !== 1) {
        body.name = `race-${i}`;
        body.description = `race-${i}`;
      }
      if (kind !== 0) body.scopes = scopesFor(i);
      return b.send(1000 + i, body).then((res) => {
        c.requests++;
        if (res.status !== 200) {
          c.non200++;
          if (c.examples.length < 10)
            c.examples.push(`${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
          return;
        }
        ok++;
        asked.set(res.body.requestId as string, body);
      });
    }),
  );
  const rows = await b.orderedAudit(keyId);
  const final = await liveFields(b.world, keyId);
  judgeChain(
    initial,
    rows,
    final,
    (rid, before) => {
      const body = asked.get(rid);
      if (!body) return undefined;
      return {
        name: (body.name as string | undefined) ?? before.name,
        description: (body.description as string | undefined) ?? before.description,
        scopes: (body.scopes as Scope[] | undefined) ?? before.scopes,
      };
    },
    c,
  );
  // Name and description are always written as a pair: a final state mixing two requests is a torn write.
  const states = [final, ...rows.flatMap((r) => (r.after ? [r.after] : []))];
  c.mixed = states.filter((s) => s.name.startsWith('race-') && s.name !== s.description).length;
  c.auditMinusOk = rows.filter((r) => r.result === 'allowed').length - ok;
  return c;
}

function report(label: string, addRemove: RaceCounts, nameScopes: RaceCounts): void {
  const suite = `races (${label})`;
  for (const e of [...addRemove.examples, ...nameScopes.examples]) console.log(`  ${e}`);
  figure(suite, 'concurrent add/remove pairs', addRemove.requests / 2, { min: 100 });
  figure(suite, 'concurrent name/scope updates', nameScopes.requests, { min: 100 });
  figure(suite, 'answers other than 200', addRemove.non200 + nameScopes.non200, { eq: 0 });
  figure(suite, 'lost updates', addRemove.lost + nameScopes.lost, { eq: 0 });
  figure(suite, 'states mixing two updates (name ≠ description)', nameScopes.mixed, { eq: 0 });
  figure(suite, 'audit rows minus successful updates', Math.abs(addRemove.auditMinusOk) + Math.abs(nameScopes.auditMinusOk), {
    eq: 0,
  });
}

async function raceKeys(world: World): Promise<{ addRemove: string; nameScopes: string }> {
  const { orgA, users } = world.seed;
  const addRemove = await seedKey(world.store, orgA.id, users.owner.id, {
    name: 'race add/remove',
    scopes: [ANCHOR, ...REMOVED],
  });
  const nameScopes = await seedKey(world.store, orgA.id, users.owner.id, {
    name: 'race name',
    description: 'race name',
    scopes: ALL_RACE,
  });
  return { addRemove: addRemove.id, nameScopes: nameScopes.id };
}

function sqliteAudit(file: string) {
  return async (keyId: string): Promise<AuditRow[]> => {
    const db = new SqliteDatabase(file, { readonly: true });
    try {
      const rows = db
        .prepare(
          `SELECT request_id, result, before_json, after_json FROM audit_log WHERE target_key_id = ? AND action = 'key.update' ORDER BY rowid`,
        )
        .all(keyId) as { request_id: string; result: string; before_json: string | null; after_json: string | null }[];
      return rows.map((r) => ({
        requestId: r.request_id,
        result: r.result,
        before: r.before_json ? (JSON.parse(r.before_json) as KeyFields) : null,
        after: r.after_json ? (JSON.parse(r.after_json) as KeyFields) : null,
      }));
    } finally {
      db.close();
    }
  };
}

async function inProcess(label: string, world: World, orderedAudit: Backend['orderedAudit']): Promise<Backend> {
  const wapp = await appOver(world.store, { logger: false } as never);
  const key = world.seed.keys.owner.raw;
  return {
    label,
    world,
    send: (i, body) => post(wapp.app, UPDATE, { key, body, ip: ipOf(i) }),
    orderedAudit,
    close: async () => {
      await wapp.close();
      await world.close();
    },
  };
}

async function run(b: Backend): Promise<void> {
  const keys = await raceKeys(b.world);
  const addRemove = await raceAddRemove(b, keys.addRemove);
  const nameScopes = await raceNameScopes(b, keys.nameScopes);
  report(b.label, addRemove, nameScopes);
}

describe('figure 3: races', () => {
  it('SQLite, one process', async () => {
    const world = await sqliteWorld();
    const b = await inProcess('sqlite, one process', world, sqliteAudit(world.file));
    try {
      await run(b);
    } finally {
      await b.close();
    }
  });

  it('SQLite, two server processes sharing the database file', async () => {
    const world = await sqliteWorld();
    const servers: ServerProcess[] = [];
    try {
      for (let i = 0; i < 2; i++) servers.push(await startServer(['--db', world.file]));
      const key = world.seed.keys.owner.raw;
      const b: Backend = {
        label: 'sqlite, two processes',
        world,
        send: (i, body) => httpPost((servers[i % 2] as ServerProcess).url, UPDATE, key, body),
        orderedAudit: sqliteAudit(world.file),
        close: async () => {},
      };
      await run(b);
    } finally {
      for (const s of servers) await stopServer(s);
      await world.close();
    }
  });

  it('changes take effect at once on another instance (SQLite, two server processes)', async () => {
    // Each instance may keep auth records while the database is unchanged; a change made through
    // the other instance, or by another connection (the operator), must be seen at the next request.
    const suite = 'propagation (sqlite, two processes)';
    const world = await sqliteWorld();
    const servers: ServerProcess[] = [];
    let checks = 0;
    let stale = 0;
    const expectOn = async (server: ServerProcess, path: string, key: string, body: unknown, status: number, what: string) => {
      const res = await httpPost(server.url, path, key, body);
      checks++;
      if (res.status !== status) {
        stale++;
        console.log(`  ${what}: ${res.status}, expected ${status}`);
      }
    };
    try {
      // Its 20 expected 401s from one address must not trip the brute-force throttle (figure 5's subject).
      for (let i = 0; i < 2; i++) servers.push(await startServer(['--db', world.file, '--auth-failure-budget', 'off']));
      const [a, b] = servers as [ServerProcess, ServerProcess];
      const { keys, orgA, users } = world.seed;
      const P = OPERATIONS;
      for (let round = 0; round < 20; round++) {
        const created = await httpPost(a.url, P.createKey.path, keys.owner.raw, {
          organizationId: orgA.id,
          name: `propagation ${round}`,
          scopes: ['api-keys:manage', 'projects:read'],
        });
        const k = created.body.data.apiKey as string;
        const id = created.body.data.keyId as string;
        await expectOn(b, P.listKeys.path, k, {}, 200, `round ${round}: fresh key on B`);
        await httpPost(a.url, P.updateKey.path, keys.owner.raw, { keyId: id, removeScopes: ['api-keys:manage'] });
        await expectOn(b, P.listKeys.path, k, {}, 403, `round ${round}: B after the scope was removed on A`);
        await httpPost(a.url, P.revokeKey.path, keys.owner.raw, { keyId: id });
        await expectOn(b, P.verifyApiKey.path, k, {}, 401, `round ${round}: B after revocation on A`);
        // The operator demotes the admin from a third connection; both instances must see it.
        await expectOn(b, P.listKeys.path, keys.admin.raw, {}, 200, `round ${round}: admin on B`);
        await world.store.setMembership({ organizationId: orgA.id, userId: users.admin.id, role: 'member' });
        await expectOn(a, P.listKeys.path, keys.admin.raw, {}, 403, `round ${round}: A after demotion`);
        await expectOn(b, P.listKeys.path, keys.admin.raw, {}, 403, `round ${round}: B after demotion`);
        await world.store.setMembership({ organizationId: orgA.id, userId: users.admin.id, role: 'admin' });
        await expectOn(b, P.listKeys.path, keys.admin.raw, {}, 200, `round ${round}: B after promotion`);
      }
      figure(suite, 'checks made', checks, { min: 100 });
      figure(suite, 'answers on the other instance that missed a revocation, scope removal or role change', stale, { eq: 0 });
    } finally {
      for (const s of servers) await stopServer(s);
      await world.close();
    }
  });

  it('PostgreSQL, one process', async () => {
    const support = await postgresAvailable();
    if (typeof support === 'string') {
      note('races (postgres)', `skipped: ${support}`);
      return;
    }
    const world = await postgresWorld(support);
    const b = await inProcess('postgres, one process', world, async (keyId) => {
      const rows = await world.store.listAudit({ organizationId: world.seed.orgA.id, targetKeyId: keyId, limit: 100_000 });
      // Audit ids are UUIDv7 made inside the transaction, after the row lock: their order is the commit order;
      // key.update rows hold a key's fields.
      return rows
        .filter((r) => r.action === 'key.update')
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map((r) => ({
          requestId: r.requestId,
          result: r.result,
          before: r.before as KeyFields | null,
          after: r.after as KeyFields | null,
        }));
    });
    try {
      await run(b);
    } finally {
      await b.close();
    }
  });
});

void NOW;
