/**
 * The SQLite adapter: everything dialect-specific about running the store on SQLite lives
 * here (file handling, pragmas, the driver). The queries themselves are shared (sql-store.ts
 * and the modules it wires).
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
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  Kysely,
  type SqliteDatabase as KyselySqliteDatabase,
  type QueryResult,
  SqliteAdapter,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from 'kysely';
import { StoreOpenError, StoreUnavailableError } from './errors.js';
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

/**
 * Kysely runs SQLite migrations outside a transaction and without a lock (its SQLite adapter
 * assumes one process): two servers starting together on a new file both created the tables,
 * and the second failed. SQLite's DDL is transactional, so here the migrator runs in one
 * transaction — BEGIN IMMEDIATE: the second process waits for the first's commit, then finds
 * nothing pending.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class LockAwareSqliteDialect extends SqliteDialect {
  constructor(private readonly driver: LockAwareSqliteDriver) {
    super({ database: () => Promise.reject(new Error('unused: the driver holds the database')) });
  }

  override createDriver(): Driver {
    return this.driver;
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** Filesystems that hold no files a database could live in (procfs, sysfs, devpts, cgroup). */
const PSEUDO_FILESYSTEMS = new Set([0x9fa0, 0x62656572, 0x1cd1, 0x27e0eb, 0x63677270]);

/** The reason SQLite gives, in words an operator can act on. */
function describeOpenFailure(file: string, err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = err instanceof Error ? err.message : String(err);
  if (code === 'SQLITE_NOTADB') return `${file} is not a SQLite database (or its header is damaged)`;
  if (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT')) return `the SQLite database ${file} is damaged (${reason})`;
  if (typeof code === 'string' && code.startsWith('SQLITE_READONLY'))
    return `the SQLite database ${file} is read-only (${reason})`;
  return `cannot use ${file} as the SQLite database: ${reason}`;
}

/**
 * Refuse a path that cannot hold a database before SQLite tries: a directory, a device, a
 * pipe, anything on procfs or sysfs (`/proc/…`: SQLite's locking on such files fails in odd
 * ways).
 */
export function checkDatabasePath(file: string): void {
  let fsType: number | undefined;
  try {
    fsType = statfsSync(existsSync(file) ? file : dirname(file)).type;
  } catch {
    fsType = undefined;
  }
  if (fsType !== undefined && PSEUDO_FILESYSTEMS.has(fsType)) {
    throw new StoreOpenError(
      `cannot use ${file} as the SQLite database: it is on a pseudo-filesystem (/proc, /sys), not on a disk`,
    );
  }
  if (existsSync(file) && !statSync(file).isFile()) {
    throw new StoreOpenError(`cannot use ${file} as the SQLite database: it is not a regular file`);
  }
}

/**
 * The start-up check of an existing database file: `PRAGMA quick_check` (every page and index
 * read, O(size); well under a second for this store's sizes) on a read-only connection of its
 * own. A damaged file, or one that is no database, is refused with a message saying what to do.
 */
export function checkSqliteFile(file: string): void {
  if (isMemory(file)) return;
  checkDatabasePath(file);
  if (!existsSync(file) || statSync(file).size === 0) return; // a new database
  let database: SqliteDatabase.Database | undefined;
  try {
    database = new SqliteDatabase(file, { readonly: true, fileMustExist: true, timeout: 0 });
    const rows = database.pragma('quick_check(5)') as { quick_check: string }[];
    const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) {
      throw new StoreOpenError(
        `the SQLite database ${file} is damaged (PRAGMA quick_check: ${problems.join('; ')}); ` +
          'restore it from a backup, or move it aside to start with an empty database',
      );
    }
  } catch (err) {
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(
      `${describeOpenFailure(file, err)}; restore it from a backup, or move it aside to start with an empty database`,
    );
  } finally {
    database?.close();
  }
}

/** Tables whose first row the readiness probe reads. */
const PROBED_TABLES = ['organizations', 'users', 'memberships', 'api_keys', 'api_key_scopes', 'audit_log'] as const;

/**
 * Readiness on SQLite: the file can be read — the first row of each table, through a fresh
 * read-only connection, so that what is on disk is read rather than this connection's page
 * cache — and written: a transaction takes the write lock and rewrites the header's
 * user_version with its own value (one WAL frame, no data changed), so a read-only file, a
 * failing disk or a lock nobody releases shows.
 */
function sqliteProbe(file: string): (db: Kysely<Database>) => Promise<void> {
  return async (db) => {
    if (!isMemory(file)) {
      const fresh = new SqliteDatabase(file, { readonly: true, fileMustExist: true, timeout: 0 });
      try {
        for (const table of PROBED_TABLES) fresh.prepare(`select * from "${table}" limit 1`).all();
      } finally {
        fresh.close();
      }
    }
    await db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ user_version: number }>`pragma user_version`.execute(trx);
      const version = Number(rows[0]?.user_version ?? 0);
      await sql.raw(`pragma user_version = ${version}`).execute(trx);
    });
  };
}

export function openSqlite(file: string, options: { writeWaitMs?: number } = {}): StoreConnection {
  if (!isMemory(file)) {
    checkDatabasePath(file);
    try {
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // Create a new database file readable by its owner only (SQLite gives the -wal and
      // -shm files the same mode); an existing file keeps the mode its operator chose.
      const fd = openSync(file, 'a', 0o600);
      const regular = fstatSync(fd).isFile();
      closeSync(fd);
      if (!regular) throw new StoreOpenError(`cannot use ${file} as the SQLite database: it is not a regular file`);
    } catch (err) {
      if (err instanceof StoreOpenError) throw err;
      throw new StoreOpenError(describeOpenFailure(file, err));
    }
  }
  let database: SqliteDatabase.Database;
  try {
    // timeout 0: SQLite never waits for a lock itself (it would wait on the event loop).
    database = new SqliteDatabase(file, { timeout: 0 });
  } catch (err) {
    throw new StoreOpenError(describeOpenFailure(file, err));
  }
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = FULL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 0');
  } catch (err) {
    database.close();
    throw new StoreOpenError(describeOpenFailure(file, err));
  }
  const driver = new LockAwareSqliteDriver(
    withStatementCache(database),
    () => database.inTransaction,
    options.writeWaitMs ?? SQLITE_WRITE_WAIT_MS,
  );
  const db = new Kysely<Database>({ dialect: new LockAwareSqliteDialect(driver) });
  // The driver already waits for the lock; nothing else SQLite answers is worth running again.
  return {
    db,
    dialect: 'sqlite',
    isRetryable: () => false,
    changeToken: SQLITE_CHANGE_TOKEN,
    groupCommit: true,
    probe: sqliteProbe(file),
  };
}
