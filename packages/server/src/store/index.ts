/**
 * Opening a store. The options name the database; the dialect follows from them:
 * `{ sqliteFile }` now (':memory:' for tests), `{ databaseUrl }` for PostgreSQL later,
 * both returning the same SqlStore over the same queries.
 */

import { SqlStore } from './sql-store.js';
import { openSqlite } from './sqlite.js';
import type { Store } from './types.js';

export interface SqliteStoreOptions {
  /** Path of the SQLite database file (its directory is created, mode 0700), or ':memory:'. */
  sqliteFile: string;
}

/** How to reach the database. PostgreSQL (`{ databaseUrl: string }`) joins this union later. */
export type StoreOptions = SqliteStoreOptions;

/** Open (not migrate) a store; call `store.migrate()` before use. */
export async function openStore(options: StoreOptions): Promise<Store> {
  return new SqlStore(openSqlite(options.sqliteFile));
}

export type * from './types.js';
export { ROLES } from './types.js';
