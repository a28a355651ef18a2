/**
 * Figure 13, PostgreSQL edge cases (and the same checks on SQLite where they apply).
 * 1. Ids with control characters (a NUL among them) sent to get, update and revoke, on both
 *    databases: the same answer on both (400 VALIDATION_ERROR), no 5xx, and exactly one audit
 *    row per attempt of an audited operation.
 * 2. Instances starting together on an empty database with --first-run-bootstrap: two real
 *    processes at once, three rounds, on a fresh PostgreSQL schema and on a fresh SQLite file:
 *    exactly one organization, exactly one printed key.
 * 3. A migration changing a column type under a running server (ALTER COLUMN on PostgreSQL):
 *    the named statements prepared before it must not fail a request.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '@codika/contract';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { describe, it } from 'vitest';
import { figure, note } from './support/figures.js';
import { httpPost, startServer, stopServer } from './support/server-process.js';
import { appOver, ipOf, post, postgresAvailable, postgresWorld, scratchDir, sqliteWorld, type World } from './support/world.js';

const IDS = ['a\u0000b', '\u0000', 'x\u0001', 'line\nbreak', 'tab\there', 'del\u007f', 'c1\u0085'];

describe('figure 13: PostgreSQL edge cases', () => {
  it('ids with control characters: the same 400 and one audit row per attempt on both databases', async () => {
    const suite = 'control characters in ids';
    const support = await postgresAvailable();
    const worlds: [string, () => Promise<World>][] = [['sqlite', sqliteWorld]];
    if (typeof support === 'string') note(suite, `PostgreSQL half skipped: ${support}`);
    else worlds.push(['postgres', () => postgresWorld(support)]);
    const answers = new Map<string, string[]>();
    let fivexx = 0;
    let badAudit = 0;
    let tried = 0;
    for (const [name, open] of worlds) {
      const world = await open();
      const wapp = await appOver(world.store);
      const seen: string[] = [];
      try {
        let i = 0;
        for (const id of [...IDS, `${world.seed.keys.target.id}\u0000`]) {
          for (const [path, audited, body] of [
            [OPERATIONS.getKey.path, false, { keyId: id }],
            [OPERATIONS.updateKey.path, true, { keyId: id, name: 'x' }],
            [OPERATIONS.revokeKey.path, true, { keyId: id }],
            [OPERATIONS.createKey.path, true, { organizationId: id, name: 'x', scopes: ['projects:read'] }],
          ] as const) {
            const before = (await world.audit()).length;
            const res = await post(wapp.app, path, { key: world.seed.keys.owner.raw, body, ip: ipOf(i++) });
            const added = (await world.audit()).length - before;
            tried++;
            if (res.status >= 500) fivexx++;
            if (added !== (audited ? 1 : 0)) badAudit++;
            seen.push(
              `${path} ${JSON.stringify(id.replace(world.seed.keys.target.id, '<target>'))} → ${res.status} ${res.body?.error?.code}`,
            );
          }
        }
      } finally {
        await wapp.close();
        await world.close();
      }
      answers.set(name, seen);
    }
    const sqlite = answers.get('sqlite') ?? [];
    const postgres = answers.get('postgres');
    const differing = postgres === undefined ? 0 : sqlite.filter((a, i) => a !== postgres[i]).length;
    const not400 = sqlite.filter((a) => !a.endsWith('→ 400 VALIDATION_ERROR')).length;
    figure(suite, `attempts (${tried} on ${worlds.length} databases) answered 5xx`, fivexx, { eq: 0 });
    figure(suite, 'answers other than 400 VALIDATION_ERROR (SQLite)', not400, { eq: 0 });
    if (postgres !== undefined) figure(suite, 'answers differing between SQLite and PostgreSQL', differing, { eq: 0 });
    figure(suite, 'attempts without exactly one audit row (audited operations) or with one (get)', badAudit, { eq: 0 });
  });

  it('instances starting together on an empty database bootstrap exactly once', async () => {
    const suite = 'first run';
    const support = await postgresAvailable();
    const targets: { name: string; make(): Promise<{ args: string[]; count(): Promise<number>; drop(): Promise<void> }> }[] = [
      {
        name: 'sqlite',
        make: async () => {
          const dir = scratchDir('codika-first-run-');
          const file = join(dir, 'codika.db');
          return {
            args: ['--db', file],
            count: async () => {
              const sqlite = new SqliteDatabase(file, { readonly: true });
              try {
                return (sqlite.prepare('SELECT count(*) AS n FROM organizations').get() as { n: number }).n;
              } finally {
                sqlite.close();
              }
            },
            drop: async () => rmSync(dir, { recursive: true, force: true }),
          };
        },
      },
    ];
    if (typeof support === 'string') note(suite, `PostgreSQL half skipped: ${support}`);
    else
      targets.push({
        name: 'postgres',
        make: async () => {
          const schema = await support.createTestSchema();
          return {
            args: ['--database-url', schema.url],
            count: async () => {
              const client = new pg.Client({ connectionString: schema.url });
              await client.connect();
              try {
                return Number((await client.query('SELECT count(*) AS n FROM organizations')).rows[0].n);
              } finally {
                await client.end();
              }
            },
            drop: () => schema.drop(),
          };
        },
      });
    for (const target of targets) {
      let wrongOrgCount = 0;
      let wrongKeyCount = 0;
      const rounds = 3;
      for (let round = 0; round < rounds; round++) {
        const db = await target.make();
        try {
          const servers = await Promise.all([0, 1].map(() => startServer([...db.args, '--first-run-bootstrap'], {}, 60_000)));
          const printed = servers.filter((s) => /Owner API key/.test(s.stdout())).length;
          for (const s of servers) await stopServer(s);
          const orgs = await db.count();
          if (orgs !== 1) wrongOrgCount++;
          if (printed !== 1) wrongKeyCount++;
          note(suite, `${target.name} round ${round + 1}: ${orgs} organization(s), ${printed} key(s) printed`);
        } finally {
          await db.drop();
        }
      }
      figure(
        suite,
        `${target.name}: rounds (of ${rounds}) of two processes starting together without exactly one organization`,
        wrongOrgCount,
        {
          eq: 0,
        },
      );
      figure(suite, `${target.name}: rounds (of ${rounds}) without exactly one owner key printed`, wrongKeyCount, { eq: 0 });
    }
  });

  it('a column type changed under a running server on PostgreSQL fails no request', async () => {
    const suite = 'stale plans';
    const support = await postgresAvailable();
    if (typeof support === 'string') {
      note(suite, `skipped: ${support}`);
      return;
    }
    const schema = await support.createTestSchema();
    const server = await startServer(['--database-url', schema.url, '--first-run-bootstrap']);
    const admin = new pg.Client({ connectionString: schema.url });
    await admin.connect();
    try {
      const key = /\n {2}(cko_\S+)\n/.exec(server.stdout())?.[1] ?? '';
      const who = await httpPost(server.url, OPERATIONS.verifyApiKey.path, key, {});
      const created = await httpPost(server.url, OPERATIONS.createKey.path, key, {
        organizationId: who.body.data.organizationId,
        name: 'target',
        scopes: ['projects:read'],
      });
      const targetId = created.body.data.keyId as string;
      const load = async (rounds: number) => {
        let failed = 0;
        for (let i = 0; i < rounds; i++) {
          const answers = await Promise.all([
            httpPost(server.url, OPERATIONS.verifyApiKey.path, key, {}),
            httpPost(server.url, OPERATIONS.getKey.path, key, { keyId: targetId }),
            httpPost(server.url, OPERATIONS.listKeys.path, key, {}),
            httpPost(server.url, OPERATIONS.updateKey.path, key, { keyId: targetId, name: `n-${i}` }),
          ]);
          failed += answers.filter((a) => a.status !== 200).length;
        }
        return failed;
      };
      await load(10); // every statement prepared on several connections
      let failed = 0;
      for (const type of ['varchar(300)', 'text', 'varchar(200)']) {
        await admin.query(`ALTER TABLE api_keys ALTER COLUMN name TYPE ${type}`);
        failed += await load(5);
      }
      figure(suite, 'requests (of 60) failed after three column type changes under the running server', failed, { eq: 0 });
    } finally {
      await admin.end();
      await stopServer(server);
      await schema.drop();
    }
  });
});
