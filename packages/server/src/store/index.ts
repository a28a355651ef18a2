/**
 * Opening a store. The options name the database; the dialect follows from them:
 * `{ sqliteFile }` (':memory:' for tests) or `{ databaseUrl }` (PostgreSQL), both returning
 * the same SqlStore over the same queries and the same migrations.
 */

import { openPostgres } from './postgres.js';
import { SqlStore } from './sql-store.js';
import { checkSqliteFile, openSqlite } from './sqlite.js';
import type { Store } from './types.js';

export interface SqliteStoreOptions {
  /** Path of the SQLite database file (its directory is created, mode 0700), or ':memory:'. */
  sqliteFile: string;
  /** How long a write waits for another process's write lock (default SQLITE_WRITE_WAIT_MS, 5 s). */
  writeWaitMs?: number;
}

export interface PostgresStoreOptions {
  /**
   * `postgres://user[:password]@host[:port]/database`; the store works in the connection's
   * current schema (set one with `?options=-c%20search_path%3Dname`).
   */
  databaseUrl: string;
  /** Connections of the pool (`start --pool-size`; default POSTGRES_POOL_MAX). */
  poolSize?: number;
}

/** How to reach the database. */
export type StoreOptions = SqliteStoreOptions | PostgresStoreOptions;

/**
 * Open (not migrate) a store; call `store.migrate()` before use. `check: true` (what `start`
 * asks) first checks an existing SQLite file with `PRAGMA quick_check`. A database that cannot
 * be used throws StoreOpenError, with a message for the operator.
 */
export async function openStore(options: StoreOptions, open: { check?: boolean } = {}): Promise<Store> {
  if ('databaseUrl' in options) {
    return new SqlStore(
      openPostgres({
        databaseUrl: options.databaseUrl,
        ...(options.poolSize === undefined ? {} : { poolMax: options.poolSize }),
      }),
    );
  }
  if (open.check) checkSqliteFile(options.sqliteFile);
  return new SqlStore(
    openSqlite(options.sqliteFile, options.writeWaitMs === undefined ? {} : { writeWaitMs: options.writeWaitMs }),
  );
}

/** A description of the database for messages, without a password. */
export function describeStoreOptions(options: StoreOptions): string {
  if (!('databaseUrl' in options)) return options.sqliteFile;
  try {
    const url = new URL(options.databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres (unparsable URL)';
  }
}

export { StoreOpenError, StoreUnavailableError } from './errors.js';
export type * from './types.js';
export { ROLES } from './types.js';
