/** Test doubles for the operator subcommands: captured output, one shared in-memory store. */
import type { Clock } from '../clock.js';
import type { Store } from '../store/types.js';
import { defaultStoreFactory } from '../test-support/stores.js';
import type { CommandDeps } from './command-deps.js';

export const FIXED_NOW = new Date('2026-03-31T14:00:00.000Z');

export interface Harness {
  store: Store;
  deps: CommandDeps & { opened: string[] };
  out(): string;
  err(): string;
  close(): Promise<void>;
}

/** A store whose close() does nothing, so a test can look inside after the command closed it. */
function keepOpen(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'close') return async () => {};
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function harness(clock: Clock = () => FIXED_NOW): Promise<Harness> {
  const store = await defaultStoreFactory.create();
  let out = '';
  let err = '';
  const opened: string[] = [];
  return {
    store,
    deps: {
      io: {
        out: (text) => {
          out += text;
        },
        err: (text) => {
          err += text;
        },
      },
      clock,
      opened,
      openStore: async (options) => {
        opened.push('sqliteFile' in options ? options.sqliteFile : options.databaseUrl);
        return keepOpen(store);
      },
    },
    out: () => out,
    err: () => err,
    close: () => store.close(),
  };
}
