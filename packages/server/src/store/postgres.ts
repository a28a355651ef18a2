/**
 * The PostgreSQL adapter: everything dialect-specific about running the store on PostgreSQL
 * lives here (the pool, how timestamps come back, which errors are worth a retry). The
 * queries themselves are shared (sql-store.ts and its modules); the schema comes from the same
 * migrations.
 *
 * Schema: the store works in the connection's current schema (the first of its search_path),
 * so one database can hold isolated stores: `?options=-c%20search_path%3Dmy_schema` in the
 * URL (the `options` startup parameter, which node-postgres reads from the URL).
 *
 * Migrations: Kysely's PostgreSQL adapter serializes every migration run in the whole
 * database behind one advisory lock; ours takes the lock per schema, so stores in different
 * schemas (the test suite's, several tenants') migrate side by side, while instances starting
 * together on one schema still migrate one after the other. And the migrator looks for its
 * tables through an introspector that sees the current schema only: Kysely's own walks every
 * schema of the database (slow, and it fails when another schema is dropped meanwhile).
 *
 * Locking: every write transaction begins with an UPDATE of the row it is about, which takes
 * that row's lock; under READ COMMITTED a concurrent transaction blocks on it and, once the
 * first commits, re-checks its WHERE against the committed row (a revoked key then matches
 * nothing) and sees the committed scope rows in its later statements. Serialization
 * failures and deadlocks, which PostgreSQL may still answer, are retried by the store.
 */
import { createHash } from 'node:crypto';
import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DialectAdapter,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';
import pg from 'pg';
import { PostgresAuthFence } from './auth-fence.js';
import { POSTGRES_POOL_MAX } from './pool-size.js';
import type { Database } from './schema.js';
import type { StoreConnection } from './sql-store.js';

export { POSTGRES_POOL_MAX };
export const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

/** SQLSTATEs after which the whole transaction may simply be run again. */
const RETRYABLE_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

const TIMESTAMPTZ_OID = 1184;

export interface PostgresOptions {
  /** postgres://user@host:port/database[?options=-c%20search_path%3Dschema] */
  databaseUrl: string;
  /** Pool size (default POSTGRES_POOL_MAX). */
  poolMax?: number;
  /**
   * Called with the SQL text of every query sent, BEGIN and COMMIT included: each is one
   * round trip to the database (node-postgres does not pipeline). The round-trip tests count
   * with it (round-trips.test.ts).
   */
  onQuery?: (text: string) => void;
  /** The auth cache across instances (auth-fence.ts; migration 0009). Default true. */
  authCache?: boolean;
}

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/**
 * Timestamps are `timestamptz` columns on PostgreSQL (migration 0003); the store speaks ISO
 * strings with milliseconds, so they come back as `2026-03-31T14:00:00.000Z`, exactly what went in.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ_OID && format !== 'binary') {
      const toDate = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date;
      return (value: string) => toDate(value).toISOString();
    }
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads want a literal format
    return pg.types.getTypeParser(oid, format as any);
  },
};

export function isRetryablePostgresError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (typeof code === 'string' && RETRYABLE_SQLSTATES.has(code)) || isStalePlanError(err);
}

/** The advisory-lock namespace (first key) of migration runs; the second key is the schema's hash. */
const MIGRATION_LOCK_NAMESPACE = 0x636f646b; // 'codk'

class SchemaScopedPostgresAdapter extends PostgresAdapter {
  // biome-ignore lint/suspicious/noExplicitAny: the adapter works below the typed schema
  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_NAMESPACE)}, hashtext(current_schema()))`.execute(db);
  }

  // biome-ignore lint/suspicious/noExplicitAny: see acquireMigrationLock
  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_NAMESPACE)}, hashtext(current_schema()))`.execute(db);
  }
}

/** Tables (names only; the migrator needs no more) and schema of the current schema alone. */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  // biome-ignore lint/suspicious/noExplicitAny: the introspector works below the typed schema
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select current_schema() as name`.execute(this.db);
    return rows.filter((r) => r.name !== null);
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; type: string }>`
      select table_name as name, table_schema as schema, table_type as type
      from information_schema.tables where table_schema = current_schema()`.execute(this.db);
    return rows.map((r) => ({ name: r.name, schema: r.schema, isView: r.type === 'VIEW', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

class CodikaPostgresDialect extends PostgresDialect {
  override createAdapter(): DialectAdapter {
    return new SchemaScopedPostgresAdapter();
  }

  // biome-ignore lint/suspicious/noExplicitAny: see CurrentSchemaIntrospector
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}

/**
 * A named statement prepared before a migration changed a column it returns fails with
 * "cached plan must not change result type" (SQLSTATE 0A000): PostgreSQL will not re-plan it
 * under the same name. Such a statement is prepared again under a new name.
 */
export function isStalePlanError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

/**
 * Parameterized queries run as named prepared statements (the name is a hash of the SQL text):
 * PostgreSQL then parses and plans each of the store's few query shapes once per connection
 * instead of on every request. The authentication join took about 1 ms to plan and 0.5 ms to
 * run (EXPLAIN ANALYZE), so planning was most of /verifyapikey's database time.
 *
 * A stale plan (isStalePlanError: a migration changed a column type under a running server)
 * gets the statement a new name, so the next run prepares it afresh; outside a transaction the
 * query is then run again at once, inside one the error goes up and the store runs the whole
 * transaction again (isRetryablePostgresError).
 */
class NamedStatements {
  /** SQL text → statement name, shared by every connection of the pool. */
  private readonly names = new Map<string, string>();
  private renamed = 0;

  nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `codika_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** A new name for `text` on every connection: each prepares it afresh on its next run. */
  prepareAgain(text: string, staleName: string): void {
    if (this.names.get(text) !== staleName) return; // another connection renamed it already
    this.renamed++;
    this.names.set(text, `codika_${createHash('sha256').update(text).digest('hex').slice(0, 24)}_${this.renamed}`);
  }

  install(client: pg.PoolClient, onQuery?: (text: string) => void): void {
    const send = client.query.bind(client) as (config: unknown, values?: unknown) => Promise<unknown>;
    const query =
      onQuery === undefined
        ? send
        : (config: unknown, values?: unknown) => {
            onQuery(typeof config === 'string' ? config : String((config as { text?: unknown }).text));
            return send(config, values);
          };
    let inTransaction = false;
    (client as { query: unknown }).query = (config: unknown, values?: unknown) => {
      if (typeof config === 'string' && (!Array.isArray(values) || values.length === 0)) {
        if (/^\s*(begin|start\s+transaction)\b/i.test(config)) inTransaction = true;
        else if (/^\s*(commit|end|abort|rollback)\b(?!\s+to\b)/i.test(config)) inTransaction = false;
        return query(config, values);
      }
      if (typeof config !== 'string' || !Array.isArray(values)) return query(config, values);
      const run = (name: string) => query({ name, text: config, values });
      const name = this.nameOf(config);
      return run(name).catch((err: unknown) => {
        if (!isStalePlanError(err)) throw err;
        this.prepareAgain(config, name);
        if (inTransaction) throw err;
        return run(this.nameOf(config));
      });
    };
  }
}

export function openPostgres(options: PostgresOptions): StoreConnection {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? POSTGRES_POOL_MAX,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    types,
  });
  // An idle connection that dies (server restart, terminated backend) is dropped by the pool;
  // without a listener the 'error' event would end the process. The next query reconnects.
  pool.on('error', () => {});
  const statements = new NamedStatements();
  pool.on('connect', (client) => statements.install(client, options.onQuery));
  const db = new Kysely<Database>({ dialect: new CodikaPostgresDialect({ pool }) });
  // No changeToken (auth-cache.ts): the auth cache is kept exact across instances by the
  // listening connection and its fence instead (auth-fence.ts, migration 0009).
  return {
    db,
    dialect: 'postgres',
    isRetryable: isRetryablePostgresError,
    probe: postgresProbe,
    writesInOneStatement: true,
    ...(options.authCache === false
      ? {}
      : {
          authFence: new PostgresAuthFence({
            connectionString: options.databaseUrl,
            ...(options.onQuery === undefined ? {} : { onQuery: options.onQuery }),
          }),
        }),
  };
}

/**
 * Readiness on PostgreSQL, in one statement (one round trip): the first row of each table is
 * read, and an UPDATE that matches no row — a data-modifying CTE, so the statement is a write —
 * is refused by a server that cannot write now (a hot standby, a read-only default, a database
 * stopping for wraparound). No row is changed.
 */
async function postgresProbe(db: Kysely<Database>): Promise<void> {
  await sql`with nothing as (update organizations set name = name where false returning 1)
    select
      (select 1 from organizations limit 1) as organizations,
      (select 1 from users limit 1) as users,
      (select 1 from memberships limit 1) as memberships,
      (select 1 from api_keys limit 1) as api_keys,
      (select 1 from api_key_scopes limit 1) as api_key_scopes,
      (select 1 from audit_log limit 1) as audit_log,
      (select count(*) from nothing) as written`.execute(db);
}
