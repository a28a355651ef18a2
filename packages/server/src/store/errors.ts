/**
 * Errors the store raises that are about the database's state rather than a bug: the HTTP
 * layer answers them 503 SERVICE_UNAVAILABLE (retry later) instead of 500.
 */

/** The database cannot take this request now (e.g. another process holds SQLite's write lock past the wait). */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}

/**
 * The database cannot be used at all — a path that is no database file, a damaged file, a
 * server that cannot be reached — with a message meant for the operator. `codika-server`
 * prints it as it is and exits 1.
 */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}
