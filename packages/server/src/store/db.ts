/**
 * What the store's modules share: the Kysely handle, the write transaction of SqlStore
 * (sql-store.ts: retries, group commit) and its precompiled queries.
 */
import type { Kysely } from 'kysely';
import type { PrecompiledQueries } from './precompiled.js';
import type { Database } from './schema.js';
import type { Store } from './types.js';

export type Db = Kysely<Database>;

/** The parameters of a Store method (the interface in types.ts documents them). */
export type StoreParams<M extends keyof Store> = Parameters<Store[M]>[0];

/** What a store module (keys.ts, organizations.ts, sessions.ts) is given by SqlStore. */
export interface SqlContext {
  db: Db;
  /** The store's write transaction (retries, group commit). */
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  queries: PrecompiledQueries;
}

/** Thrown out of a transaction to roll back the change while carrying the outcome out. */
export class RollbackWith<T> extends Error {
  constructor(readonly outcome: T) {
    super('rollback');
  }
}
