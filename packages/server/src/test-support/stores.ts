/**
 * Every store implementation the shared store suite (and route tests) run against. Each
 * `create()` returns a fresh, migrated, empty store.
 *
 * PostgreSQL joins when CODIKA_TEST_DATABASE_URL is set (`.ci/run` sets it): every store gets
 * a schema of its own (`codika_t_<random>`, reached through the connection's search_path),
 * dropped again by its close(), so runs and tests never see each other's rows. Without the
 * variable the PostgreSQL entries are left out; test/global-setup.ts says so in one line.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';

export interface StoreFactory {
  name: string;
  create(): Promise<Store>;
}

export const TEST_DATABASE_URL_ENV = 'CODIKA_TEST_DATABASE_URL';

/** The PostgreSQL database the tests may use, or undefined (PostgreSQL tests skipped). */
export const testDatabaseUrl: string | undefined = process.env[TEST_DATABASE_URL_ENV]?.trim() || undefined;

/**
 * `url` with the connection's search_path set to `schema` (node-postgres reads `options`), and
 * any further server options (`-c name=value`).
 */
export function withSearchPath(url: string, schema: string, moreOptions = ''): string {
  const parsed = new URL(url);
  const existing = parsed.searchParams.get('options');
  const options = [existing, `-c search_path=${schema}`, moreOptions].filter(Boolean).join(' ');
  parsed.searchParams.set('options', options);
  return parsed.toString();
}

let adminPool: pg.Pool | undefined;

/** Run one statement on the test database outside any store (schema creation and clean-up). */
export async function adminQuery(statement: string): Promise<void> {
  if (!testDatabaseUrl) throw new Error(`${TEST_DATABASE_URL_ENV} is not set`);
  adminPool ??= new pg.Pool({ connectionString: testDatabaseUrl, max: 2, allowExitOnIdle: true, idleTimeoutMillis: 1000 });
  await adminPool.query(statement);
}

export interface TestSchema {
  name: string;
  /** The test database URL with search_path set to this schema. */
  url: string;
  drop(): Promise<void>;
}

/** A fresh, empty schema in the test database. */
export async function createTestSchema(prefix = 'codika_t'): Promise<TestSchema> {
  if (!testDatabaseUrl) throw new Error(`${TEST_DATABASE_URL_ENV} is not set`);
  const name = `${prefix}_${randomBytes(8).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  let dropped = false;
  return {
    name,
    // Tests judge behaviour, not durability: their commits need not wait for the disk (the bench
    // measures durable commits on connections of its own).
    url: withSearchPath(testDatabaseUrl, name, '-c synchronous_commit=off'),
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}

const sqliteFactory: StoreFactory = {
  name: 'sqlite (memory)',
  async create() {
    const store = await openStore({ sqliteFile: ':memory:' });
    await store.migrate();
    return store;
  },
};

/**
 * Migrated schemas whose stores were closed, emptied and waiting for the next create() of this
 * process: creating a schema and running every migration costs ~300 ms a store, emptying one
 * ~10 ms, and the route tests open a store per test on PostgreSQL. A schema is only reused when
 * its store was closed (a test that leaves its store open leaves its schema out of the pool),
 * and comes back as a freshly migrated one would: every table but the migrator's emptied,
 * sequences restarted, the audit log's append-only triggers left in place (the emptying runs with
 * session_replication_role = replica, a superuser setting of the admin connection only).
 */
const idleSchemas: TestSchema[] = [];

/** Per schema: the one statement batch that empties it (see emptySchema). */
const emptyingBySchema = new Map<string, string>();

/**
 * Empty every table of `schema` but the migrator's and restart its sequences, in one round trip
 * (small tables: DELETE is cheaper than TRUNCATE, which rewrites every table's files).
 */
async function emptySchema(schema: TestSchema): Promise<void> {
  if (!testDatabaseUrl) throw new Error(`${TEST_DATABASE_URL_ENV} is not set`);
  adminPool ??= new pg.Pool({ connectionString: testDatabaseUrl, max: 2, allowExitOnIdle: true, idleTimeoutMillis: 1000 });
  let batch = emptyingBySchema.get(schema.name);
  if (batch === undefined) {
    const tables = await adminPool.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND tablename NOT LIKE 'kysely\\_%'`,
      [schema.name],
    );
    const sequences = await adminPool.query<{ name: string }>(
      'SELECT sequencename AS name FROM pg_sequences WHERE schemaname = $1',
      [schema.name],
    );
    batch = [
      'BEGIN',
      'SET LOCAL session_replication_role = replica',
      ...tables.rows.map((t) => `DELETE FROM ${schema.name}."${t.name}"`),
      ...sequences.rows.map((q) => `ALTER SEQUENCE ${schema.name}."${q.name}" RESTART`),
      'COMMIT',
    ].join(';\n');
    emptyingBySchema.set(schema.name, batch);
  }
  const client = await adminPool.connect();
  try {
    await client.query(batch);
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The prefix of this process's reusable schemas: `codika_p_<pid>` (see sweepDeadProcesses). */
const POOLED_PREFIX = `codika_p_${process.pid}`;
let swept = false;

async function createPooledSchema(): Promise<TestSchema> {
  if (!swept) {
    swept = true;
    await sweepDeadProcesses();
  }
  return createTestSchema(POOLED_PREFIX);
}

/**
 * Drop the idle schemas of test processes that have ended (a Vitest worker exits without a hook
 * to drop them): every `codika_p_<pid>_…` schema whose process no longer runs on this machine.
 * Schemas of processes still running — other test runs at the same time — are left alone.
 */
async function sweepDeadProcesses(): Promise<void> {
  if (!testDatabaseUrl) return;
  adminPool ??= new pg.Pool({ connectionString: testDatabaseUrl, max: 2, allowExitOnIdle: true, idleTimeoutMillis: 1000 });
  const { rows } = await adminPool.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'codika\\_p\\_%'`,
  );
  for (const { name } of rows) {
    const pid = Number(name.split('_')[2]);
    if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    await adminPool.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => {});
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A store whose close() empties its schema and hands it to the next create() (see idleSchemas). */
function recyclingSchemaOnClose(store: Store, schema: TestSchema): Store {
  let closed = false;
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'close') {
        return async () => {
          await target.close();
          if (closed) return;
          closed = true;
          try {
            await emptySchema(schema);
            idleSchemas.push(schema);
          } catch {
            await schema.drop();
          }
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const postgresFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const idle = idleSchemas.pop();
    const schema = idle ?? (await createPooledSchema());
    try {
      const store = await openStore({ databaseUrl: schema.url });
      if (idle === undefined) await store.migrate(); // an idle schema was migrated by this process
      return recyclingSchemaOnClose(store, schema);
    } catch (err) {
      await schema.drop();
      throw err;
    }
  },
};

export const storeFactories: StoreFactory[] = testDatabaseUrl ? [sqliteFactory, postgresFactory] : [sqliteFactory];

/** The first factory: for tests that need a store but not every dialect. */
export const defaultStoreFactory: StoreFactory = sqliteFactory;

export const ROUTE_STORE_ENV = 'CODIKA_TEST_ROUTE_STORE';

/**
 * The store of the route tests (test-support/http.ts): one of storeFactories, named by
 * CODIKA_TEST_ROUTE_STORE, else the first. vitest.config.ts runs the route test files once per
 * factory (one Vitest project each), so every route test, the authorization matrix included,
 * runs on every database without a copy of its body.
 */
export const routeStoreFactory: StoreFactory = selectRouteStore(process.env[ROUTE_STORE_ENV]);

function selectRouteStore(name: string | undefined): StoreFactory {
  if (name === undefined || name === '') return sqliteFactory;
  const factory = storeFactories.find((f) => f.name === name);
  if (!factory) throw new Error(`${ROUTE_STORE_ENV}=${name}: no such store (${storeFactories.map((f) => f.name).join(', ')})`);
  return factory;
}
