/**
 * Auth records by key hash, valid only while the database has not changed at all.
 *
 * Every authenticated request reads the same few rows (key, organization, user, role,
 * scopes); the profile of /verifyapikey showed that join as the largest cost per request.
 * The records are kept together with a *change token*, a value the adapter reads from the
 * database that differs whenever anything may have been written since (on SQLite: the
 * connection's own row-change count and `PRAGMA data_version`, which moves on every commit
 * by any other connection or process). A record is handed out only while the current token
 * equals the token read *before* the record was read, so it is exactly what the join would
 * return now: a revocation, a scope change, a removed membership — by this process or any
 * other — makes the next request read the rows again. Nothing is judged here; the caller
 * still checks revocation, expiry (against its own clock) and role on every request.
 *
 * Unknown hashes are never kept (a flood of bad keys cannot fill the cache), the number of
 * records is bounded, and each caller gets its own copy (callers mutate `lastUsedAt`).
 */
import type { AuthRecord } from './types.js';

export const AUTH_CACHE_MAX_ENTRIES = 10_000;

function copy(record: AuthRecord): AuthRecord {
  return {
    key: {
      ...record.key,
      scopes: [...record.key.scopes],
      allowedIps: record.key.allowedIps === null ? null : [...record.key.allowedIps],
    },
    organization: { ...record.organization },
    user: { ...record.user },
    role: record.role,
    secret: record.secret,
  };
}

export class AuthCache {
  private token: string | undefined;
  private readonly records = new Map<string, AuthRecord>();

  constructor(private readonly maxEntries: number = AUTH_CACHE_MAX_ENTRIES) {}

  /** The record of `hash` if it was read under `token`, the current one; forgets everything older. */
  get(hash: string, token: string): AuthRecord | undefined {
    if (token !== this.token) {
      this.records.clear();
      this.token = token;
      return undefined;
    }
    const record = this.records.get(hash);
    return record === undefined ? undefined : copy(record);
  }

  /** True when `hash` has a record kept under `token` (no copy made). */
  has(hash: string, token: string): boolean {
    return token === this.token && this.records.has(hash);
  }

  /**
   * Keep `record` under `token`, known by the caller to be the current token (PostgreSQL: the
   * generation did not move while the rows were read, auth-fence.ts): records of an older
   * token are forgotten first.
   */
  setCurrent(hash: string, token: string, record: AuthRecord): void {
    if (token !== this.token) {
      this.records.clear();
      this.token = token;
    }
    this.set(hash, token, record);
  }

  /** Keep `record`, read after `token` was; ignored when a newer token has been seen since. */
  set(hash: string, token: string, record: AuthRecord): void {
    if (token !== this.token) return;
    if (this.records.size >= this.maxEntries) {
      const oldest = this.records.keys().next();
      if (!oldest.done) this.records.delete(oldest.value);
    }
    this.records.set(hash, copy(record));
  }
}
