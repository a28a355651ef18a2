/**
 * PostgreSQL's durable-commit floor, the counterpart of bench/fsync-loop.mjs for SQLite: one
 * connection runs one `UPDATE` per transaction (autocommit: the UPDATE is the transaction),
 * back to back, for the given seconds, spread over 1 000 rows of a scratch table in a schema
 * of its own (dropped afterwards). Each commit is a round trip and a WAL flush
 * (synchronous_commit as the server has it). With `connections` > 1, that many connections
 * loop at once on disjoint rows (PostgreSQL then flushes several commits per WAL write).
 * Prints `{"ops":N,"seconds":S,"perSecond":R,"connections":C,"synchronousCommit":…}`.
 *
 *   node bench/pg-commit-loop.mjs <database url> <seconds> [connections]
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../packages/server/package.json', import.meta.url)));
const pg = require('pg');

const [databaseUrl, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 2);
const connections = Number(process.argv[4] ?? 1);
const ROWS = 1000;
const schema = `codika_commit_floor_${process.pid}`;
const client = new pg.Client({ connectionString: databaseUrl });
await client.connect();
try {
  await client.query(`create schema ${schema}`);
  await client.query(`create table ${schema}.t (id int primary key, n bigint not null, name text not null)`);
  await client.query(`insert into ${schema}.t select i, 0, '' from generate_series(0, ${ROWS - 1}) i`);
  const { rows } = await client.query('show synchronous_commit');
  const update = { name: 'commit_floor', text: `update ${schema}.t set n = n + 1, name = $2 where id = $1` };
  const clients = [client];
  for (let c = 1; c < connections; c++) {
    const other = new pg.Client({ connectionString: databaseUrl });
    await other.connect();
    clients.push(other);
  }
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  await Promise.all(
    clients.map(async (c, k) => {
      for (let i = 0; performance.now() < end; i++) {
        // disjoint rows per connection: no connection waits for another's row lock
        await c.query({ ...update, values: [(i * connections + k) % ROWS, `floor ${i}`] });
        ops++;
      }
    }),
  );
  now = performance.now();
  for (const c of clients.slice(1)) await c.end();
  const elapsed = (now - start) / 1000;
  process.stdout.write(
    `${JSON.stringify({ ops, seconds: elapsed, perSecond: ops / elapsed, connections, synchronousCommit: rows[0].synchronous_commit })}\n`,
  );
} finally {
  await client.query(`drop schema if exists ${schema} cascade`).catch(() => {});
  await client.end();
}
