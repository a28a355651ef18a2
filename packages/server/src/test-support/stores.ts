/**
 * Every store implementation the shared store suite (and route tests) run against. Each
 * `create()` returns a fresh, migrated, empty store. PostgreSQL joins as one more entry.
 */
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';

export interface StoreFactory {
  name: string;
  create(): Promise<Store>;
}

export const storeFactories: StoreFactory[] = [
  {
    name: 'sqlite (memory)',
    async create() {
      const store = await openStore({ sqliteFile: ':memory:' });
      await store.migrate();
      return store;
    },
  },
];

/** The first factory: for tests that need a store but not every dialect. */
export const defaultStoreFactory: StoreFactory = storeFactories[0] as StoreFactory;
