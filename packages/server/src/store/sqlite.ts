/**
 * The SQLite adapter: everything dialect-specific about running the store on SQLite lives
 * here (file handling, pragmas). The queries themselves are shared (sql-store.ts).
 *
 * Locking: Kysely's SQLite driver runs every query and transaction on one connection behind
 * a mutex, so transactions in this process are serialized; across processes, each write
 * transaction starts with a write statement (the portable row lock) and waits up to
 * busy_timeout for the database lock.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, type SqliteDatabase as KyselySqliteDatabase, SqliteDialect, type SqliteStatement } from 'kysely';
import type { Database } from './schema.js';
import type { StoreConnection } from './sql-store.js';

export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * The store's change token on SQLite: rows changed by this connection (every write of the
 * store goes through it; rolled-back changes count too) and `data_version`, which changes
 * when any other connection or process commits. Equal tokens: nothing was written between.
 */
export const SQLITE_CHANGE_TOKEN = CompiledQuery.raw(
  'select total_changes() as changes, data_version as version from pragma_data_version',
);

/** Prepared statements kept per connection (the store issues a few dozen distinct SQL texts). */
export const STATEMENT_CACHE_SIZE = 256;

/**
 * Kysely's SQLite driver prepares every query it runs, and preparing costs several times
 * what running a point query does (the profile of /verifyapikey showed it as the largest
 * single cost). Statements are kept by SQL text and reused; the driver runs one query at a
 * time on this connection, so a cached statement is never busy when it is handed out.
 */
export function withStatementCache(database: KyselySqliteDatabase, size: number = STATEMENT_CACHE_SIZE): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = database.prepare(sql);
        if (statements.size >= size) {
          const oldest = statements.keys().next();
          if (!oldest.done) statements.delete(oldest.value);
        }
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

function isMemory(file: string): boolean {
  return file === ':memory:' || file === '' || file.startsWith('file::memory:');
}

export function openSqlite(file: string): StoreConnection {
  if (!isMemory(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Create a new database file readable by its owner only (SQLite gives the -wal and
    // -shm files the same mode); an existing file keeps the mode its operator chose.
    closeSync(openSync(file, 'a', 0o600));
  }
  const database = new SqliteDatabase(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  } catch (err) {
    database.close();
    throw err;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  // busy_timeout already waits for the lock; nothing SQLite answers is worth running again.
  return { db, dialect: 'sqlite', isRetryable: () => false, changeToken: SQLITE_CHANGE_TOKEN, groupCommit: true };
}
