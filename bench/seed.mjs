/**
 * Bench-only seeding: fill a migrated store with `count` organization keys by batched inserts
 * straight into its tables (no HTTP, no audit rows), fast enough for 1 000 000 keys.
 *
 * Shape: organizations of KEYS_PER_ORG keys, each with its own owner user, each key holding
 * SCOPES_PER_KEY scope rows; hashes are SHA-256 of a seed string (unique, never a usable key).
 * The store's own rows (the bench organization and its keys) are added afterwards through the
 * operator CLI and the API, so the benchmarked requests run against real data.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../packages/server/package.json', import.meta.url)));

export const KEYS_PER_ORG = 20;
const SCOPE_SETS = [
  ['projects:read', 'instances:read'],
  ['deploy:use-case', 'executions:read'],
  ['api-keys:manage', 'projects:read'],
];
const BATCH = 5000;

function seedHash(i) {
  return createHash('sha256').update(`codika-bench-seed:${i}`).digest('hex');
}

/** Time-ordered ids like the server's (UUIDv7), so index locality matches production. */
function idMaker() {
  const { v7 } = require('uuid');
  return () => v7();
}

/** Rows for keys [from, to): organizations, users, memberships, keys, scopes. */
function* batches(count) {
  const newId = idMaker();
  const at = new Date().toISOString();
  let org = null;
  let user = null;
  for (let from = 0; from < count; from += BATCH) {
    const to = Math.min(count, from + BATCH);
    const out = { orgs: [], users: [], members: [], keys: [], scopes: [] };
    for (let i = from; i < to; i++) {
      if (i % KEYS_PER_ORG === 0) {
        org = newId();
        user = newId();
        out.orgs.push([org, `Seed org ${i / KEYS_PER_ORG}`, at]);
        out.users.push([user, `seed-${i / KEYS_PER_ORG}@bench.invalid`, at]);
        out.members.push([org, user, 'owner']);
      }
      const id = newId();
      out.keys.push([id, org, user, `seed key ${i}`, '', 'cko_seed', seedHash(i), at, at, null, null, null]);
      for (const scope of SCOPE_SETS[i % SCOPE_SETS.length]) out.scopes.push([id, scope]);
    }
    yield out;
  }
}

/** SQLite: one transaction per batch over prepared statements (seeding only: synchronous=OFF). */
export function seedSqlite(file, count) {
  const Database = require('better-sqlite3');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF');
    const ins = {
      orgs: db.prepare('insert into organizations (id, name, created_at) values (?, ?, ?)'),
      users: db.prepare('insert into users (id, email, created_at) values (?, ?, ?)'),
      members: db.prepare('insert into memberships (organization_id, user_id, role) values (?, ?, ?)'),
      keys: db.prepare(
        `insert into api_keys (id, organization_id, created_by_user_id, name, description, prefix, hash,
          created_at, updated_at, expires_at, revoked_at, last_used_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      scopes: db.prepare('insert into api_key_scopes (key_id, scope) values (?, ?)'),
    };
    const write = db.transaction((batch) => {
      for (const table of ['orgs', 'users', 'members', 'keys', 'scopes']) {
        for (const row of batch[table]) ins[table].run(row);
      }
    });
    for (const batch of batches(count)) write(batch);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.exec('analyze');
  } finally {
    db.close();
  }
}

const PG_COLUMNS = {
  orgs: ['organizations', ['id', 'name', 'created_at'], ['text', 'text', 'text']],
  users: ['users', ['id', 'email', 'created_at'], ['text', 'text', 'text']],
  members: ['memberships', ['organization_id', 'user_id', 'role'], ['text', 'text', 'text']],
  keys: [
    'api_keys',
    [
      'id',
      'organization_id',
      'created_by_user_id',
      'name',
      'description',
      'prefix',
      'hash',
      'created_at',
      'updated_at',
      'expires_at',
      'revoked_at',
      'last_used_at',
    ],
    null,
  ],
  scopes: ['api_key_scopes', ['key_id', 'scope'], ['text', 'text']],
};

/**
 * PostgreSQL: one multi-row insert per table and batch, parameters as arrays through unnest.
 * Column types are read from the migrated schema, so timestamp columns get their own type.
 */
export async function seedPostgres(databaseUrl, count) {
  const pg = require('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const types = new Map();
    const res = await client.query(
      `select table_name, column_name, data_type from information_schema.columns
        where table_schema = current_schema()`,
    );
    for (const row of res.rows) types.set(`${row.table_name}.${row.column_name}`, row.data_type);
    const statements = {};
    for (const [name, [table, columns]] of Object.entries(PG_COLUMNS)) {
      const args = columns.map((c, i) => `$${i + 1}::${types.get(`${table}.${c}`) ?? 'text'}[]`);
      statements[name] = `insert into ${table} (${columns.join(', ')}) select * from unnest(${args.join(', ')})`;
    }
    for (const batch of batches(count)) {
      await client.query('begin');
      for (const name of ['orgs', 'users', 'members', 'keys', 'scopes']) {
        const rows = batch[name];
        if (rows.length === 0) continue;
        const columns = PG_COLUMNS[name][1].map((_, c) => rows.map((row) => row[c]));
        await client.query(statements[name], columns);
      }
      await client.query('commit');
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
}
