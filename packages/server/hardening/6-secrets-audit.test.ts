/**
 * Figure 6, secrets and audit:
 *   - the CLI's config store (packages/cli) makes its directory 0700 and its file 0600, and
 *     tightens a looser existing directory and file when it reads or writes them;
 *   - the audit table refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) from a plain
 *     database connection, and its rows are unchanged afterwards;
 *   - a scripted session against an app logging at level trace (every route, good and bad
 *     keys, a dashboard sign-in with the key in the body, a failing store) leaves no raw key
 *     in any log line.
 */
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '@codika/contract';
import { generateKey } from '@codika/contract/keys';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { describe, it } from 'vitest';
import { FileConfigStore } from '../../cli/src/config-store.js';
import { figure, note } from './support/figures.js';
import { appOver, ipOf, post, postgresAvailable, postgresWorld, scratchDir, sqliteWorld } from './support/world.js';

const mode = (path: string) => statSync(path).mode & 0o777;

const PROFILE = {
  apiKey: generateKey('cko_'),
  type: 'org-api-key',
  organizationId: 'org',
  organizationName: 'Acme Corp',
  keyName: 'k',
  keyPrefix: 'cko_abcd',
  scopes: ['projects:read'],
  createdAt: '2026-03-31T14:00:00.000Z',
};

describe('figure 6: secrets and audit', () => {
  it('CLI config directory and file modes', async () => {
    const suite = 'secrets';
    const base = scratchDir('codika-config-');
    let loose = 0;
    const check = (what: string, dir: string, file: string) => {
      const d = mode(dir);
      const f = mode(file);
      if ((d & 0o077) !== 0 || (f & 0o077) !== 0) {
        loose++;
        console.log(`  ${what}: directory ${d.toString(8)}, file ${f.toString(8)}`);
      }
    };
    const old = process.umask(0o022);
    try {
      // A first write.
      const fresh = join(base, 'fresh', 'codika');
      const s1 = new FileConfigStore(join(fresh, 'config.json'));
      await s1.write({ activeProfile: 'a', profiles: { a: PROFILE } });
      check('first write', fresh, s1.path);

      // An existing, looser directory and file: read, then write.
      for (const [what, action] of [
        ['read of a loose file', 'read'],
        ['write over a loose file', 'write'],
      ] as const) {
        const dir = join(base, action, 'codika');
        mkdirSync(dir, { recursive: true });
        const file = join(dir, 'config.json');
        writeFileSync(file, JSON.stringify({ profiles: { a: PROFILE } }));
        chmodSync(dir, 0o755);
        chmodSync(file, 0o644);
        const store = new FileConfigStore(file);
        if (action === 'read') await store.read();
        else await store.write({ profiles: { a: PROFILE } });
        check(what, dir, file);
      }
    } finally {
      process.umask(old);
    }
    figure(suite, 'CLI config directory/file looser than 0700/0600 after a first write, a read and a write (3 cases)', loose, {
      eq: 0,
    });
  });

  it('the audit table refuses UPDATE and DELETE', async () => {
    const suite = 'audit';
    let accepted = 0;
    let tried = 0;
    let rowsChanged = 0;
    const world = await sqliteWorld();
    try {
      // Make sure there are audit rows (the seed wrote some; one request adds a denied one).
      const wapp = await appOver(world.store);
      await post(wapp.app, OPERATIONS.updateKey.path, {
        key: world.seed.keys.member.raw,
        body: { keyId: world.seed.keys.target.id, name: 'x' },
      });
      await wapp.close();
      const before = await world.dumpAll();
      const db = new SqliteDatabase(world.file);
      try {
        for (const statement of [
          `UPDATE audit_log SET reason = 'tampered'`,
          `UPDATE audit_log SET after_json = NULL WHERE rowid = (SELECT max(rowid) FROM audit_log)`,
          'DELETE FROM audit_log',
          'DELETE FROM audit_log WHERE rowid = (SELECT min(rowid) FROM audit_log)',
          // REPLACE deletes the old row without firing DELETE triggers: a rewrite unless refused (migration 0004).
          `REPLACE INTO audit_log SELECT id, at, request_id, action, result, 'tampered', actor_key_id, actor_user_id,
             organization_id, target_key_id, before_json, after_json, source_ip, user_agent FROM audit_log LIMIT 1`,
          `INSERT OR REPLACE INTO audit_log SELECT id, at, request_id, action, result, 'tampered', actor_key_id, actor_user_id,
             organization_id, target_key_id, before_json, after_json, source_ip, user_agent FROM audit_log LIMIT 1`,
          `INSERT INTO audit_log SELECT * FROM audit_log WHERE true ON CONFLICT (id) DO UPDATE SET reason = 'tampered'`,
        ]) {
          tried++;
          try {
            db.prepare(statement).run();
            accepted++;
            console.log(`  sqlite accepted: ${statement.replace(/\s+/g, ' ')}`);
          } catch {
            // refused: what we want
          }
        }
      } finally {
        db.close();
      }
      if ((await world.dumpAll()) !== before) rowsChanged++;
    } finally {
      await world.close();
    }

    const support = await postgresAvailable();
    if (typeof support === 'string') {
      note(suite, `PostgreSQL half skipped: ${support}`);
    } else {
      const pgWorld = await postgresWorld(support);
      const client = new pg.Client({ connectionString: pgWorld.url });
      await client.connect();
      try {
        const before = await pgWorld.dumpAll();
        for (const statement of [
          `UPDATE audit_log SET reason = 'tampered'`,
          'DELETE FROM audit_log',
          'TRUNCATE audit_log',
          `INSERT INTO audit_log SELECT * FROM audit_log ON CONFLICT (id) DO UPDATE SET reason = 'tampered'`,
        ]) {
          tried++;
          try {
            await client.query(statement);
            accepted++;
            console.log(`  postgres accepted: ${statement}`);
          } catch {
            // refused
          }
        }
        if ((await pgWorld.dumpAll()) !== before) rowsChanged++;
      } finally {
        await client.end();
        await pgWorld.close();
      }
    }
    figure(suite, `UPDATE/DELETE/REPLACE/upsert/TRUNCATE statements on the audit table accepted (of ${tried})`, accepted, {
      eq: 0,
    });
    figure(suite, 'databases whose audit rows changed after the attempts', rowsChanged, { eq: 0 });
  });

  it('no raw key in the server log at level trace', async () => {
    const suite = 'secrets';
    const world = await sqliteWorld();
    let failNext = false;
    const store = new Proxy(world.store, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (failNext && prop === 'updateKey') {
            failNext = false;
            return Promise.reject(new Error('injected store failure'));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const wapp = await appOver(store, { logLevel: 'trace' });
    const sent = new Set<string>(Object.values(world.seed.keys).map((k) => k.raw));
    const { keys, orgA } = world.seed;
    const P = OPERATIONS;
    let i = 0;
    const call = async (path: string, key: string | null, body: unknown, headers: Record<string, string> = {}) => {
      if (key) sent.add(key);
      const res = await wapp.app.inject({
        method: 'POST',
        url: path,
        remoteAddress: ipOf(++i),
        headers: { 'content-type': 'application/json', ...(key ? { 'x-process-manager-key': key } : {}), ...headers },
        payload: JSON.stringify(body),
      });
      return JSON.parse(res.body);
    };
    try {
      await call(P.verifyApiKey.path, keys.owner.raw, {});
      const created = await call(P.createKey.path, keys.owner.raw, {
        organizationId: orgA.id,
        name: 'log test',
        scopes: ['projects:read'],
      });
      const newKey = created.data.apiKey as string;
      sent.add(newKey);
      await call(P.verifyApiKey.path, newKey, {});
      await call(P.listKeys.path, keys.admin.raw, {});
      await call(P.getKey.path, keys.owner.raw, { keyId: created.data.keyId });
      await call(P.updateKey.path, keys.owner.raw, { keyId: created.data.keyId, name: 'renamed' });
      await call(P.updateKey.path, keys.member.raw, { keyId: created.data.keyId, name: 'no' });
      await call(P.updateKey.path, keys.lacking.raw, { keyId: created.data.keyId, name: 'no' });
      failNext = true;
      await call(P.updateKey.path, keys.owner.raw, { keyId: created.data.keyId, name: 'boom' });
      await call(P.revokeKey.path, keys.owner.raw, { keyId: created.data.keyId });
      await call(P.verifyApiKey.path, newKey, {});
      for (const bad of [
        generateKey('cko_'),
        `${keys.owner.raw.slice(0, -1)}Z`,
        keys.revoked.raw,
        keys.expired.raw,
        `x${keys.owner.raw}`,
      ]) {
        await call(P.verifyApiKey.path, bad, {});
        await call(P.updateKey.path, bad, { keyId: keys.target.id, name: 'x' });
      }
      // The dashboard's sign-in carries the key in the body.
      await call('/dashboard/api/session', null, { apiKey: keys.owner.raw }, { 'x-codika-csrf': '1' });
      await call('/dashboard/api/session', null, { apiKey: generateKey('cko_') }, { 'x-codika-csrf': '1' });
      // Keys in the query string and the URL path.
      await wapp.app.inject({
        method: 'POST',
        url: `${P.verifyApiKey.path}?key=${keys.owner.raw}`,
        headers: { 'x-process-manager-key': keys.owner.raw },
      });
      await wapp.app.inject({ method: 'GET', url: `/${keys.admin.raw}` });
      const lines = wapp.logs
        .text()
        .split('\n')
        .filter((l) => l.trim() !== '');
      const leaking = lines.filter((l) => [...sent].some((k) => l.includes(k)));
      for (const l of leaking.slice(0, 5)) console.log(`  ${l.slice(0, 300)}`);
      const has500 = lines.some((l) => l.includes('injected store failure'));
      note(suite, `${lines.length} log lines at level trace, ${sent.size} keys sent; the injected failure was logged: ${has500}`);
      figure(suite, 'log lines (level trace) holding a raw key', leaking.length, { eq: 0 });
      figure(suite, 'log lines written (control: the log is captured)', lines.length, { min: 20 });
    } finally {
      await wapp.close();
      await world.close();
    }
  });
});
