/**
 * What `start` checks before it creates anything (a database file, its folder, a first
 * organization, an owner key): that the SQLite database's path can be written, and that the
 * address can be listened on. A busy port used to surface only at `listen`, after the first
 * run had created the organization, printed its owner key and written the database.
 *
 * The port is probed by listening on it and closing again at once; what is free at that
 * moment may still be taken before the real listen (the same message then comes from there).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { StoreOpenError } from '../store/errors.js';
import type { StoreOptions } from '../store/index.js';
import { checkDatabasePath } from '../store/sqlite.js';

/** The server cannot listen where it was asked to: exit 1 with a message naming the address. */
export class ListenError extends Error {
  override name = 'ListenError';
}

/** `host:port` as people type it (IPv6 in brackets). */
function address(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A listen failure (a Node error with `code`) as a message that names the address and what to do. */
export function describeListenFailure(err: unknown, host: string, port: number, nothingCreated = true): ListenError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const where = address(host, port);
  const created = nothingCreated ? ' Nothing was created.' : '';
  switch (code) {
    case 'EADDRINUSE':
      return new ListenError(
        `port ${port} is already in use on ${host} (EADDRINUSE): another program, perhaps another codika-server, listens on ${where}. ` +
          `Stop it, or choose another port: npm start -- --port ${port === 65535 ? port - 1 : port + 1} ` +
          `(codika-server start --port N; --port 0 picks a free one).${created}`,
      );
    case 'EACCES':
      return new ListenError(
        `listening on ${where} is not permitted (EACCES): ports below 1024 need privileges. ` +
          `Choose another port: npm start -- --port 8787 (codika-server start --port N).${created}`,
      );
    case 'EADDRNOTAVAIL':
      return new ListenError(
        `${host} is not an address of this machine (EADDRNOTAVAIL): choose another --host (127.0.0.1 for this machine only, 0.0.0.0 for every interface).${created}`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(`--host ${host} does not resolve to an address (${code}).${created}`);
    default:
      return undefined;
  }
}

/** Listen on host:port and close again; rejects with a ListenError (or the raw error) when that fails. */
export function probePort(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve(); // any free port: nothing to check
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', (err) => reject(describeListenFailure(err, host, port) ?? err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolvePromise()));
  });
}

/**
 * The SQLite database's path can be written without creating anything: an existing file must
 * be readable and writable, a new one needs its nearest existing folder to be a writable folder
 * (`start` creates the missing folders and the file). PostgreSQL and ':memory:' have no path.
 */
export function checkDatabaseWritable(database: StoreOptions, access: (path: string, mode: number) => void = accessSync): void {
  if (!('sqliteFile' in database) || database.sqliteFile === ':memory:') return;
  const file = database.sqliteFile;
  checkDatabasePath(file); // the store's own refusals first: a directory, a device, /proc and /sys
  const refuse = (reason: string) =>
    new StoreOpenError(`cannot use ${file} as the SQLite database: ${reason}; choose another --db. Nothing was created.`);
  if (existsSync(file)) {
    if (!statSync(file).isFile()) throw refuse('it is not a regular file');
    try {
      access(file, constants.R_OK | constants.W_OK);
    } catch {
      throw refuse('this user may not read and write it');
    }
    return;
  }
  let folder = dirname(resolve(file));
  while (!existsSync(folder)) folder = dirname(folder);
  if (!statSync(folder).isDirectory()) throw refuse(`${folder} is a file, not a folder`);
  try {
    access(folder, constants.W_OK | constants.X_OK);
  } catch {
    throw refuse(`this user may not create files in ${folder}`);
  }
}
