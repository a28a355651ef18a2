/**
 * Bench-only seeding of the audit log: `count` events of one organization, inserted in batches
 * straight into audit_log (no HTTP), fast enough for 1 000 000 rows. The events are spread over
 * `count / EVENTS_PER_KEY` target keys (at least MIN_KEYS), a handful of actor keys and users,
 * the key and member actions, and the three outcomes in realistic proportions; ids are UUIDv7 in
 * write order, times spread over the past year. The benchmarked pages ask for the events of
 * one target key (`targetKeyId(0)`), and for denied updates.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../packages/server/package.json', import.meta.url)));

export const EVENTS_PER_KEY = 1000;
const MIN_KEYS = 10;
const ACTORS = 8;
const BATCH = 5000;
const YEAR_MS = 365 * 24 * 3600 * 1000;

// The audit table's columns, in the order the store writes them (each seeded row follows it).
const { AUDIT_COLUMNS: COLUMNS } = await import(new URL('../packages/server/dist/store/audit.js', import.meta.url).href);

/** The id of the n-th seeded target key (not a key row: the audit log names keys as requested). */
export function targetKeyId(n) {
  return `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
}

function* batches(organizationId, count) {
  const { v7 } = require('uuid');
  const keys = Math.max(MIN_KEYS, Math.round(count / EVENTS_PER_KEY));
  const start = Date.now() - YEAR_MS;
  const state = JSON.stringify({ name: 'bench key', description: '', scopes: ['projects:read'] });
  const changed = JSON.stringify({ name: 'bench key', description: '', scopes: ['instances:read', 'projects:read'] });
  for (let from = 0; from < count; from += BATCH) {
    const rows = [];
    for (let i = from; i < Math.min(count, from + BATCH); i++) {
      const r = i % 20;
      const action =
        r < 12 ? 'key.update' : r < 15 ? 'key.create' : r < 16 ? 'key.revoke' : r < 18 ? 'member.update' : 'member.add';
      const result = r % 7 === 3 ? 'denied' : r % 10 === 9 && action === 'key.update' ? 'dry_run' : 'allowed';
      const member = action.startsWith('member.');
      rows.push([
        v7(),
        new Date(start + Math.floor((i / count) * YEAR_MS)).toISOString(),
        v7(),
        action,
        result,
        result === 'denied' ? 'SCOPE_ESCALATION' : null,
        targetKeyId(1_000_000 + (i % ACTORS)),
        `00000000-0000-7000-9000-${String(i % ACTORS).padStart(12, '0')}`,
        organizationId,
        member ? null : targetKeyId(i % keys),
        member ? `00000000-0000-7000-a000-${String(i % 97).padStart(12, '0')}` : null,
        member ? JSON.stringify({ email: 'someone@bench.invalid', role: 'member' }) : state,
        member ? JSON.stringify({ email: 'someone@bench.invalid', role: 'admin' }) : changed,
        `10.0.${i % 250}.${i % 200}`,
        'codika-bench',
      ]);
    }
    yield rows;
  }
}

export function seedAuditSqlite(file, organizationId, count) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    // Indexes are dropped for the load and built again from their own definitions (a sorted
    // build is many times faster than a million random inserts into eight B-trees).
    const indexes = db
      .prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'audit_log' and sql is not null")
      .all();
    for (const { name } of indexes) db.exec(`drop index ${name}`);
    const insert = db.prepare(`insert into audit_log (${COLUMNS.join(', ')}) values (${COLUMNS.map(() => '?').join(', ')})`);
    const write = db.transaction((rows) => {
      for (const row of rows) insert.run(row);
    });
    for (const rows of batches(organizationId, count)) write(rows);
    for (const { sql } of indexes) db.exec(sql);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('analyze');
  } finally {
    db.close();
  }
}

export async function seedAuditPostgres(databaseUrl, organizationId, count) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: indexes } = await client.query(
      `select indexname, indexdef from pg_indexes
        where schemaname = current_schema() and tablename = 'audit_log' and indexname <> 'audit_log_pkey'`,
    );
    for (const { indexname } of indexes) await client.query(`drop index ${indexname}`);
    const types = COLUMNS.map((c) => (c === 'at' ? 'timestamptz' : 'text'));
    const statement = `insert into audit_log (${COLUMNS.join(', ')})
      select * from unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
    for (const rows of batches(organizationId, count)) {
      await client.query(
        statement,
        COLUMNS.map((_, c) => rows.map((row) => row[c])),
      );
    }
    for (const { indexdef } of indexes) await client.query(indexdef);
    await client.query('analyze audit_log');
  } finally {
    await client.end();
  }
}
