/**
 * Figure 7, member races: an organization with exactly two owners, each holding a key, and
 * 100 requests sent at once that try to take the owner role from one of them — each owner
 * demoting or removing the other, or stepping down. Whatever order they land in, the
 * organization keeps at least one owner: each change locks the organization's row and judges
 * the owner count inside its transaction (LAST_OWNER), and a demoted or removed owner's key
 * stops acting as an owner at the next request.
 *
 * Three organizations per backend, on SQLite in one process, on two real server processes
 * sharing one SQLite file, and on two real server processes on one PostgreSQL schema. Also
 * judged: 5xx answers (0), requests answered 200 without exactly one allowed member row of
 * theirs in the audit (0), and keys of removed owners that still authenticate (0).
 */
import { OPERATIONS } from '@codika/contract';
import { describe, it } from 'vitest';
import { newId } from '../src/ids.js';
import type { Store } from '../src/store/types.js';
import { seedKey, seedUser } from '../src/test-support/http.js';
import { figure, note } from './support/figures.js';
import { httpPost, type ServerProcess, startServer, stopServer } from './support/server-process.js';
import { appOver, ipOf, post, postgresAvailable, postgresWorld, sqliteWorld, T0, type World } from './support/world.js';

const REQUESTS = 100;
const ORGANIZATIONS = 3;
const P = OPERATIONS;

type Send = (i: number, path: string, key: string, body: unknown) => Promise<{ status: number; body: { requestId?: string } }>;

interface Owners {
  organizationId: string;
  owners: { userId: string; email: string; key: string }[];
}

async function twoOwners(store: Store, n: number): Promise<Owners> {
  const org = await store.createOrganization({ id: newId(), name: `Race ${n}`, createdAt: T0 });
  const owners = [];
  for (const who of ['ada', 'bob']) {
    const user = await seedUser(store, org.id, `${who}-${n}@race.test`, 'owner');
    const key = await seedKey(store, org.id, user.id, { name: `${who} key` });
    owners.push({ userId: user.id, email: user.email, key: key.raw });
  }
  // An admin who tries too (refused: an admin cannot touch an owner).
  const admin = await seedUser(store, org.id, `cy-${n}@race.test`, 'admin');
  owners.push({ userId: admin.id, email: admin.email, key: (await seedKey(store, org.id, admin.id)).raw });
  return { organizationId: org.id, owners };
}

interface Counts {
  requests: number;
  byStatus: Map<number, number>;
  fiveHundreds: number;
  orphaned: number;
  okWithoutRow: number;
  removedKeysLive: number;
  examples: string[];
}

async function race(world: World, send: Send): Promise<Counts> {
  const c: Counts = {
    requests: 0,
    byStatus: new Map(),
    fiveHundreds: 0,
    orphaned: 0,
    okWithoutRow: 0,
    removedKeysLive: 0,
    examples: [],
  };
  let sent = 0;
  for (let n = 0; n < ORGANIZATIONS; n++) {
    const { organizationId, owners } = await twoOwners(world.store, n);
    const [a, b, admin] = owners as [Owners['owners'][0], Owners['owners'][0], Owners['owners'][0]];
    const plan = (i: number): [string, string, unknown] => {
      const [me, other] = i % 2 === 0 ? [a, b] : [b, a];
      switch (i % 6) {
        case 0:
        case 1:
          return [me.key, P.updateMember.path, { userId: other.userId, role: i % 4 === 0 ? 'member' : 'admin' }];
        case 2:
        case 3:
          return [me.key, P.removeMember.path, { email: other.email }];
        case 4:
          return [me.key, P.updateMember.path, { userId: me.userId, role: 'admin' }];
        default:
          return [admin.key, P.removeMember.path, { userId: other.userId }];
      }
    };
    const oks: string[] = [];
    await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const [key, path, body] = plan(i);
        const res = await send(sent + i, path, key, body);
        c.requests++;
        c.byStatus.set(res.status, (c.byStatus.get(res.status) ?? 0) + 1);
        if (res.status >= 500) {
          c.fiveHundreds++;
          if (c.examples.length < 10) c.examples.push(`${path} ${JSON.stringify(body)} → ${res.status}`);
        }
        if (res.status === 200 && res.body.requestId) oks.push(res.body.requestId);
      }),
    );
    sent += REQUESTS;

    const members = await world.store.listMembers(organizationId, new Date().toISOString());
    const ownersLeft = members.filter((m) => m.role === 'owner').length;
    if (ownersLeft < 1) {
      c.orphaned++;
      c.examples.push(`organization ${n} has no owner: ${JSON.stringify(members)}`);
    }
    const rows = await world.store.listAudit({ organizationId, limit: 100_000 });
    for (const id of oks) {
      const own = rows.filter((r) => r.requestId === id && r.result === 'allowed' && r.action.startsWith('member.'));
      if (own.length !== 1) c.okWithoutRow++;
    }
    for (const owner of [a, b]) {
      if (members.some((m) => m.userId === owner.userId)) continue;
      const res = await send(sent++, P.verifyApiKey.path, owner.key, {});
      if (res.status !== 401) c.removedKeysLive++;
    }
  }
  return c;
}

function report(label: string, c: Counts): void {
  const suite = `member races (${label})`;
  for (const e of c.examples) console.log(`  ${e}`);
  note(suite, `answers by status: ${[...c.byStatus].map(([s, n]) => `${s}×${n}`).join(', ')}`);
  figure(suite, `concurrent demote/remove requests at the last two owners (${ORGANIZATIONS} organizations)`, c.requests, {
    min: ORGANIZATIONS * REQUESTS,
  });
  figure(suite, 'organizations left without an owner', c.orphaned, { eq: 0 });
  figure(suite, '5xx answers', c.fiveHundreds, { eq: 0 });
  figure(suite, 'answers 200 without exactly one allowed member row of theirs in the audit', c.okWithoutRow, { eq: 0 });
  figure(suite, 'keys of removed owners still authenticating', c.removedKeysLive, { eq: 0 });
}

async function twoProcesses(label: string, world: World, args: string[]): Promise<void> {
  const servers: ServerProcess[] = [];
  try {
    // The removed owners' 401s must not trip the brute-force throttle (figure 5's subject).
    for (let i = 0; i < 2; i++) servers.push(await startServer([...args, '--auth-failure-budget', 'off']));
    const send: Send = (i, path, key, body) => httpPost((servers[i % 2] as ServerProcess).url, path, key, body);
    report(label, await race(world, send));
  } finally {
    for (const s of servers) await stopServer(s);
    await world.close();
  }
}

describe('figure 7: member races', () => {
  it('SQLite, one process', async () => {
    const world = await sqliteWorld();
    const wapp = await appOver(world.store, { logger: false } as never);
    try {
      report('sqlite, one process', await race(world, (i, path, key, body) => post(wapp.app, path, { key, body, ip: ipOf(i) })));
    } finally {
      await wapp.close();
      await world.close();
    }
  });

  it('SQLite, two server processes sharing the database file', async () => {
    const world = await sqliteWorld();
    await twoProcesses('sqlite, two processes', world, ['--db', world.file]);
  });

  it('PostgreSQL, two server processes on one database', async () => {
    const support = await postgresAvailable();
    if (typeof support === 'string') {
      note('member races (postgres, two processes)', `skipped: ${support}`);
      return;
    }
    const world = await postgresWorld(support);
    await twoProcesses('postgres, two processes', world, ['--database-url', world.url]);
  });
});
