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
