/**
 * The SQLite adapter: everything dialect-specific about running the store on SQLite lives
 * here (file handling, pragmas, the driver). The queries themselves are shared (sql-store.ts).
 *
 * Locking: every query and transaction of this process runs on one connection behind a
 * mutex, so transactions in this process are serialized. Across processes (another server on
 * the same file, an operator's `sqlite3` shell), WAL mode lets readers read while someone else
 * holds the write lock; only writers must wait for it. SQLite's own busy wait
 * (`busy_timeout`) would wait *on the event loop* — the whole server, `/healthz` included,
 * froze while a writer waited — so it is off (0), and the driver below waits instead: a
 * statement answered SQLITE_BUSY outside a transaction (an autocommit write, or the
 * `BEGIN IMMEDIATE` that opens every write transaction) is tried again after a short pause,
 * with the connection released meanwhile so that reads go on, until SQLITE_WRITE_WAIT_MS have
 * passed; then it fails with StoreUnavailableError (503).
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type SqliteDatabase as KyselySqliteDatabase,
  type QueryResult,
  SqliteDialect,
  type SqliteStatement,
} from 'kysely';
import { StoreUnavailableError } from './errors.js';
import type { Database } from './schema.js';
import type { StoreConnection } from './sql-store.js';

/** How long a write waits for another process's write lock before failing with StoreUnavailableError. */
export const SQLITE_WRITE_WAIT_MS = 5000;
/** Longest pause between two tries of a statement answered SQLITE_BUSY. */
const BUSY_PAUSE_MAX_MS = 25;

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

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** A mutex whose waiters are served in arrival order. */
class Mutex {
  private locked = false;
  private readonly waiters: (() => void)[] = [];

  lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}

/**
 * Kysely's SQLite driver, but waiting for another process's write lock without blocking the
 * event loop (see the module comment), and opening transactions with BEGIN IMMEDIATE so that
 * a write transaction takes the write lock first — a busy lock is then met before anything of
 * the transaction ran, where trying again is always safe.
 */
export class LockAwareSqliteDriver implements Driver {
  private readonly mutex = new Mutex();
  private readonly connection: DatabaseConnection;

  constructor(
    private readonly database: KyselySqliteDatabase,
    /** True while the connection is inside a transaction (better-sqlite3's `inTransaction`). */
    private readonly inTransaction: () => boolean,
    private readonly writeWaitMs: number = SQLITE_WRITE_WAIT_MS,
  ) {
    this.connection = {
      executeQuery: (query) => this.execute(query),
      streamQuery: () => {
        throw new Error('streaming is not supported');
      },
    };
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.mutex.lock();
    return this.connection;
  }

  async releaseConnection(): Promise<void> {
    this.mutex.unlock();
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async destroy(): Promise<void> {
    this.database.close();
  }

  private runOnce<R>(query: CompiledQuery): QueryResult<R> {
    const statement = this.database.prepare(query.sql);
    if (statement.reader) return { rows: statement.all(query.parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(query.parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  /** Called with the mutex held; may release and take it again while it waits for the lock. */
  private async execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        return this.runOnce<R>(query);
      } catch (err) {
        // Inside a transaction, the runner above decides (nothing may be retried piecemeal).
        if (!isBusy(err) || this.inTransaction()) throw err;
        if (performance.now() - started >= this.writeWaitMs) {
          throw new StoreUnavailableError(`the SQLite database stayed locked by another connection for ${this.writeWaitMs} ms`, {
            cause: err,
          });
        }
        // Release the connection while waiting: reads (and other writers' own waits) go on.
        this.mutex.unlock();
        try {
          const pause = Math.min(BUSY_PAUSE_MAX_MS, 2 ** attempt) * (0.5 + Math.random() / 2);
          await new Promise((resolve) => setTimeout(resolve, pause));
        } finally {
          await this.mutex.lock();
        }
      }
    }
  }
}

class LockAwareSqliteDialect extends SqliteDialect {
  constructor(private readonly driver: LockAwareSqliteDriver) {
    super({ database: () => Promise.reject(new Error('unused: the driver holds the database')) });
  }

  override createDriver(): Driver {
    return this.driver;
  }
}

export function openSqlite(file: string, options: { writeWaitMs?: number } = {}): StoreConnection {
  if (!isMemory(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Create a new database file readable by its owner only (SQLite gives the -wal and
    // -shm files the same mode); an existing file keeps the mode its operator chose.
    closeSync(openSync(file, 'a', 0o600));
  }
  // timeout 0: SQLite never waits for a lock itself (it would wait on the event loop).
  const database = new SqliteDatabase(file, { timeout: 0 });
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 0');
  } catch (err) {
    database.close();
    throw err;
  }
  const driver = new LockAwareSqliteDriver(
    withStatementCache(database),
    () => database.inTransaction,
    options.writeWaitMs ?? SQLITE_WRITE_WAIT_MS,
  );
  const db = new Kysely<Database>({ dialect: new LockAwareSqliteDialect(driver) });
  // The driver already waits for the lock; nothing else SQLite answers is worth running again.
  return { db, dialect: 'sqlite', isRetryable: () => false, changeToken: SQLITE_CHANGE_TOKEN, groupCommit: true };
}
