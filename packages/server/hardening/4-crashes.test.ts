/**
 * Figure 4, crashes: ≥ 20 cycles of `kill -9` on a real `codika-server start` process (the
 * built dist/bin.js, SQLite file) while clients update one key as fast as they can. Each
 * update writes name = description = `c-<n>` and a scope set derived from n, so a row that
 * mixes two updates is visible. A client records every update answered 200. After each kill
 * the database file is opened with better-sqlite3 directly (before the next start):
 * `PRAGMA integrity_check`, every acknowledged update must have its audit row with exactly
 * what it wrote, the key's row must be the last audited state and must not mix two updates.
 * The server's JSON log lines are searched for the raw keys as well.
 */

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '@codika/contract';
import { SCOPES, type Scope } from '@codika/contract/scopes';
import SqliteDatabase from 'better-sqlite3';
import { describe, it } from 'vitest';
import { figure, note } from './support/figures.js';
import { httpPost, type ServerProcess, startServer, stopServer } from './support/server-process.js';
import { scratchDir } from './support/world.js';

const CYCLES = Number(process.env.CODIKA_HARDENING_CRASH_CYCLES ?? 20);
const CLIENTS = 4;
const UPDATE = OPERATIONS.updateKey.path;

function scopesFor(n: number): Scope[] {
  const out: Scope[] = ['projects:read'];
  SCOPES.forEach((s, bit) => {
    if (s !== 'projects:read' && (n >> bit) & 1) out.push(s);
  });
  return out;
}

const sorted = (xs: readonly string[]) => [...xs].sort().join(',');

interface Acked {
  requestId: string;
  n: number;
}

describe('figure 4: crashes', () => {
  it(`${CYCLES} kill -9 cycles under update load`, async () => {
    const suite = 'crashes';
    const dir = scratchDir('codika-crash-');
    const db = join(dir, 'codika.db');
    const logs: string[] = [];
    const counts = { cycles: 0, acked: 0, missing: 0, mixed: 0, integrity: 0, stateNotLast: 0, wrongContent: 0 };
    const examples: string[] = [];
    const rawKeys: string[] = [];
    let ownerKey = '';
    let targetId = '';
    let n = 0;
    /** The key's name as read from the file after the last crash; the restarted server must answer the same. */
    let lastSeenName: string | null = null;
    let restartDisagrees = 0;
    const startedAt = Date.now();
    let current: ServerProcess | undefined;
    try {
      for (let cycle = 0; cycle < CYCLES; cycle++) {
        const server: ServerProcess = await startServer(['--db', db, ...(cycle === 0 ? ['--first-run-bootstrap'] : [])]);
        current = server;
        if (cycle === 0) {
          ownerKey = readFileSync(join(dir, 'owner-key'), 'utf8').trim();
          rawKeys.push(ownerKey);
          const who = await httpPost(server.url, OPERATIONS.verifyApiKey.path, ownerKey, {});
          const created = await httpPost(server.url, OPERATIONS.createKey.path, ownerKey, {
            organizationId: who.body.data.organizationId,
            name: 'c-0',
            description: 'c-0',
            scopes: scopesFor(0),
          });
          if (created.status !== 200) throw new Error(`could not create the crash key: ${created.text}`);
          targetId = created.body.data.keyId;
          rawKeys.push(created.body.data.apiKey);
        }
        if (lastSeenName !== null) {
          const got = await httpPost(server.url, OPERATIONS.getKey.path, ownerKey, { keyId: targetId });
          if (got.status !== 200 || got.body.data.name !== lastSeenName) {
            restartDisagrees++;
            examples.push(
              `cycle ${cycle}: after restart the key reads ${got.status} ${got.body?.data?.name}, the file said ${lastSeenName}`,
            );
          }
        }
        // Load: CLIENTS loops, each sending one update after another until the process dies.
        const acked: Acked[] = [];
        let dead = false;
        const client = async () => {
          while (!dead) {
            const mine = ++n;
            try {
              const res = await httpPost(server.url, UPDATE, ownerKey, {
                keyId: targetId,
                name: `c-${mine}`,
                description: `c-${mine}`,
                scopes: scopesFor(mine),
              });
              if (res.status === 200) acked.push({ requestId: res.body.requestId, n: mine });
            } catch {
              // The connection died with the process: this update's outcome is unknown, which is allowed.
            }
          }
        };
        const clients = Array.from({ length: CLIENTS }, client);
        await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 350)));
        server.child.kill('SIGKILL');
        await server.exited;
        dead = true;
        await Promise.all(clients);
        logs.push(server.stdout());
        counts.cycles++;
        counts.acked += acked.length;

        // The file as the crash left it.
        const sqlite = new SqliteDatabase(db);
        try {
          const integrity = sqlite.pragma('integrity_check') as { integrity_check: string }[];
          if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok') {
            counts.integrity++;
            examples.push(`cycle ${cycle}: integrity_check ${JSON.stringify(integrity)}`);
          }
          const rows = sqlite
            .prepare(
              `SELECT request_id, after_json FROM audit_log WHERE target_key_id = ? AND action = 'key.update' AND result = 'allowed' ORDER BY rowid`,
            )
            .all(targetId) as { request_id: string; after_json: string }[];
          const byRequest = new Map(
            rows.map((r) => [r.request_id, JSON.parse(r.after_json) as { name: string; description: string; scopes: string[] }]),
          );
          for (const a of acked) {
            const after = byRequest.get(a.requestId);
            if (!after) {
              counts.missing++;
              if (examples.length < 10) examples.push(`cycle ${cycle}: update c-${a.n} answered 200 but has no audit row`);
            } else if (
              after.name !== `c-${a.n}` ||
              after.description !== `c-${a.n}` ||
              sorted(after.scopes) !== sorted(scopesFor(a.n))
            ) {
              counts.wrongContent++;
              if (examples.length < 10) examples.push(`cycle ${cycle}: update c-${a.n} audited as ${JSON.stringify(after)}`);
            }
          }
          const key = sqlite.prepare('SELECT name, description FROM api_keys WHERE id = ?').get(targetId) as {
            name: string;
            description: string;
          };
          const scopes = (
            sqlite.prepare('SELECT scope FROM api_key_scopes WHERE key_id = ?').all(targetId) as { scope: string }[]
          ).map((r) => r.scope);
          lastSeenName = key.name;
          const m = /^c-(\d+)$/.exec(key.name);
          if (!m || key.description !== key.name || sorted(scopes) !== sorted(scopesFor(Number(m[1])))) {
            counts.mixed++;
            examples.push(`cycle ${cycle}: key row mixes updates: ${key.name} / ${key.description} / ${scopes.join(',')}`);
          }
          const last = rows.at(-1);
          if (last) {
            const after = JSON.parse(last.after_json) as { name: string; description: string; scopes: string[] };
            if (after.name !== key.name || after.description !== key.description || sorted(after.scopes) !== sorted(scopes)) {
              counts.stateNotLast++;
              examples.push(`cycle ${cycle}: key row ${key.name} is not the last audited update ${after.name}`);
            }
          }
          const mixedAudit = rows.filter((r) => {
            const a = JSON.parse(r.after_json) as { name: string; description: string; scopes: string[] };
            const k = /^c-(\d+)$/.exec(a.name);
            return !k || a.description !== a.name || sorted(a.scopes) !== sorted(scopesFor(Number(k[1])));
          }).length;
          counts.mixed += mixedAudit;
        } finally {
          sqlite.close();
        }
      }
      // The JSON log lines of every process (the first start's banner, which shows the owner key once, is not a log line).
      const logLines = logs.flatMap((l) => l.split('\n')).filter((l) => l.startsWith('{'));
      const leaking = logLines.filter((l) => rawKeys.some((k) => l.includes(k))).length;

      for (const e of examples) console.log(`  ${e}`);
      note(
        suite,
        `${counts.acked} updates answered 200 over ${counts.cycles} cycles in ${Math.round((Date.now() - startedAt) / 1000)} s`,
      );
      figure(suite, 'kill -9 cycles', counts.cycles, { min: 20 });
      figure(suite, 'updates answered 200 (load reached the server)', counts.acked, { min: 20 * CYCLES });
      figure(suite, 'updates answered 200 and missing after restart', counts.missing, { eq: 0 });
      figure(suite, 'acknowledged updates stored with other content', counts.wrongContent, { eq: 0 });
      figure(suite, 'rows mixing old and new fields', counts.mixed, { eq: 0 });
      figure(suite, 'key rows that are not the last acknowledged-or-audited state', counts.stateNotLast, { eq: 0 });
      figure(suite, 'restarts answering another state than the file after the crash', restartDisagrees, { eq: 0 });
      figure(suite, 'PRAGMA integrity_check failures', counts.integrity, { eq: 0 });
      figure(suite, `server JSON log lines (${logLines.length}) holding a raw key`, leaking, { eq: 0 });
    } finally {
      // A failure between start and kill must not leave a server behind.
      if (current) await stopServer(current, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
