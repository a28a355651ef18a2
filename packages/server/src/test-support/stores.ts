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

/** `url` with the connection's search_path set to `schema` (node-postgres reads `options`). */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  const existing = parsed.searchParams.get('options');
  parsed.searchParams.set('options', `${existing ? `${existing} ` : ''}-c search_path=${schema}`);
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
export async function createTestSchema(): Promise<TestSchema> {
  if (!testDatabaseUrl) throw new Error(`${TEST_DATABASE_URL_ENV} is not set`);
  const name = `codika_t_${randomBytes(8).toString('hex')}`;
  await adminQuery(`CREATE SCHEMA ${name}`);
  let dropped = false;
  return {
    name,
    url: withSearchPath(testDatabaseUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    },
  };
}

/** A store whose close() also drops its schema. */
function droppingSchemaOnClose(store: Store, schema: TestSchema): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'close') {
        return async () => {
          await target.close();
          await schema.drop();
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const sqliteFactory: StoreFactory = {
  name: 'sqlite (memory)',
  async create() {
    const store = await openStore({ sqliteFile: ':memory:' });
    await store.migrate();
    return store;
  },
};

const postgresFactory: StoreFactory = {
  name: 'postgres',
  async create() {
    const schema = await createTestSchema();
    try {
      const store = await openStore({ databaseUrl: schema.url });
      await store.migrate();
      return droppingSchemaOnClose(store, schema);
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
