/**
 * The PostgreSQL adapter: everything dialect-specific about running the store on PostgreSQL
 * lives here (the pool, how timestamps come back, which errors are worth a retry). The
 * queries themselves are shared (sql-store.ts); the schema comes from the same migrations.
 *
 * Schema: the store works in the connection's current schema (the first of its search_path),
 * so one database can hold isolated stores: `?options=-c%20search_path%3Dmy_schema` in the
 * URL (the `options` startup parameter, which node-postgres reads from the URL).
 *
 * Locking: every write transaction begins with an UPDATE of the row it is about, which takes
 * that row's lock; under READ COMMITTED a concurrent transaction blocks on it and, once the
 * first commits, re-checks its WHERE against the committed row (a revoked key then matches
 * nothing) and sees the committed scope rows in its later statements. Serialization
 * failures and deadlocks, which PostgreSQL may still answer, are retried by the store.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import type { StoreConnection } from './sql-store.js';

/** Connections per store (each server instance holds one store). */
export const POSTGRES_POOL_MAX = 10;
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
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
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
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', isRetryable: isRetryablePostgresError };
}
