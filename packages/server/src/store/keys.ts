/**
 * Keys: authentication by hash (through the auth cache), listing, creation under the
 * live-key limit, update and revocation. SqlStore (sql-store.ts) delegates here.
 *
 * Update and revocation begin with the portable row lock on the live key (lockLiveKey), so
 * the judge sees a state nobody else can change until commit; scope changes are SQL
 * statements on api_key_scopes rows (an update's, in few round trips: key-update.ts).
 */
import type { CompiledQuery } from 'kysely';
import { insertAudit, originOf } from './audit.js';
import { AuthCache } from './auth-cache.js';
import type { AuthFence } from './auth-fence.js';
import type { Db, SqlContext } from './db.js';
import { authQuery, authRecordOf, countLiveKeys, foldKeys, insertKey, keyRows, lockOrganization, readKey } from './key-rows.js';
import { lockLiveKey, updateKeyFewRoundTrips } from './key-update.js';
import type {
  ApiKeyRecord,
  ApiKeyWithCreator,
  AuditOrigin,
  AuthRecord,
  CreateOutcome,
  Denial,
  KeyJudgeContext,
  NewKeyInput,
  RevokeKeyParams,
  RevokeOutcome,
  UpdateKeyParams,
  UpdateOutcome,
} from './types.js';

export interface KeyStoreOptions {
  /** SQLite: the adapter's query whose values change with the database (auth-cache.ts). */
  changeToken: CompiledQuery | undefined;
  /** PostgreSQL: when a cached record may be served (auth-fence.ts). Neither: no cache. */
  authFence: AuthFence | undefined;
  /** PostgreSQL: a key update's writes as one statement (key-update.ts). */
  writesInOneStatement: boolean;
}

export class KeyStore {
  private readonly authCache = new AuthCache();
  private readonly changeToken: CompiledQuery | undefined;
  private readonly authFence: AuthFence | undefined;
  private readonly writesInOneStatement: boolean;

  constructor(
    private readonly ctx: SqlContext,
    options: KeyStoreOptions,
  ) {
    this.changeToken = options.changeToken;
    this.authFence = options.authFence;
    this.writesInOneStatement = options.writesInOneStatement;
  }

  async findAuthByHash(hash: string): Promise<AuthRecord | undefined> {
    if (this.authFence !== undefined) return this.findAuthFenced(hash, this.authFence);
    if (this.changeToken === undefined) return this.findAuth('k.hash', hash);
    // The token is read before the rows, each through the driver's queue (auth-cache.ts).
    const { rows } = await this.ctx.db.executeQuery(this.changeToken);
    const token = JSON.stringify(rows[0]);
    const cached = this.authCache.get(hash, token);
    if (cached !== undefined) return cached;
    const record = await this.findAuth('k.hash', hash);
    if (record !== undefined) this.authCache.set(hash, token, record);
    return record;
  }

  /**
   * PostgreSQL (auth-fence.ts): a cached record is served only after a fence sent after this
   * call began has answered and the record is still kept under the then current generation;
   * without a cached record the rows are read at once (no fence: a read is always current), and
   * the record is kept only if no notification arrived while it was read.
   */
  private async findAuthFenced(hash: string, fence: AuthFence): Promise<AuthRecord | undefined> {
    const seen = fence.token();
    if (seen !== undefined && this.authCache.has(hash, seen) && (await fence.fence())) {
      const now = fence.token();
      const cached = now === undefined ? undefined : this.authCache.get(hash, now);
      if (cached !== undefined) return cached;
    }
    const before = fence.token();
    const record = await this.findAuth('k.hash', hash);
    if (before === undefined) {
      void fence.fence(); // not listening yet (or any more): (re)opens the listening connection
    } else if (record !== undefined && fence.token() === before) {
      this.authCache.setCurrent(hash, before, record);
    }
    return record;
  }

  /** The auth record of a key found by its id (a key's dashboard session, sessions.ts). */
  findAuthByKeyId(keyId: string): Promise<AuthRecord | undefined> {
    return this.findAuth('k.id', keyId);
  }

  /** The auth record of one key, found by its hash or (for sessions) its id: one query, one row (key-rows.ts). */
  private async findAuth(column: 'k.hash' | 'k.id', value: string): Promise<AuthRecord | undefined> {
    const { rows } = await this.ctx.queries.run(this.ctx.db, `findAuth:${column}`, [value], (p) =>
      authQuery(this.ctx.db, column, p(0)),
    );
    const row = rows[0];
    return row === undefined ? undefined : authRecordOf(row, column, value);
  }

  async touchLastUsed(keyId: string, at: string, staleBefore: string, ip: string | null = null): Promise<void> {
    await this.ctx.db
      .updateTable('api_keys')
      .set({ last_used_at: at, last_used_ip: ip })
      .where('id', '=', keyId)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', staleBefore)]))
      .execute();
  }

  async createKey(input: NewKeyInput, maxLiveKeys: number, audit: AuditOrigin): Promise<CreateOutcome> {
    const now = input.createdAt;
    return this.ctx.transaction(async (trx): Promise<CreateOutcome> => {
      // Concurrent creations in one organization queue on its row; the count cannot be raced.
      await lockOrganization(trx, input.organizationId);
      if ((await countLiveKeys(trx, input.organizationId, now)) >= maxLiveKeys) {
        // No key was made: the row names none.
        await insertAudit(trx, {
          ...originOf(audit),
          action: 'key.create',
          result: 'denied',
          reason: 'MAX_API_KEYS_REACHED',
          organizationId: input.organizationId,
          targetKeyId: null,
          before: null,
          after: null,
        });
        return { status: 'limit_reached', limit: maxLiveKeys };
      }
      return { status: 'created', key: await insertKey(trx, input, originOf(audit)) };
    });
  }

  async getLiveKey(organizationId: string, keyId: string, now: string): Promise<ApiKeyWithCreator | undefined> {
    const rows = await keyRows(this.ctx.db)
      .where('k.id', '=', keyId)
      .where('k.organization_id', '=', organizationId)
      .where('k.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
      .execute();
    return foldKeys(rows)[0];
  }

  async listLiveKeys(organizationId: string, now: string): Promise<ApiKeyWithCreator[]> {
    const rows = await keyRows(this.ctx.db)
      .where('k.organization_id', '=', organizationId)
      .where('k.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
      .orderBy('k.created_at', 'asc')
      .orderBy('k.id', 'asc')
      .execute();
    return foldKeys(rows);
  }

  async listInactiveKeys(organizationId: string, now: string, limit = 100): Promise<ApiKeyWithCreator[]> {
    const inactive = this.ctx.db
      .selectFrom('api_keys')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('expires_at', '<=', now)]))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    const rows = await keyRows(this.ctx.db)
      .where('k.id', 'in', inactive)
      .orderBy('k.created_at', 'desc')
      .orderBy('k.id', 'desc')
      .execute();
    return foldKeys(rows);
  }

  /**
   * What a key judge is told, read in the transaction in one query: the creating user's role in
   * the key's organization (none when no longer a member) and the organization's maximum key lifetime.
   */
  async keyJudgeContext(trx: Db, key: ApiKeyRecord): Promise<KeyJudgeContext> {
    const { rows } = await this.ctx.queries.run(trx, 'keyJudgeContext', [key.organizationId, key.createdByUserId], (p) =>
      trx
        .selectFrom('organizations as o')
        .leftJoin('memberships as m', (join) => join.onRef('m.organization_id', '=', 'o.id').on('m.user_id', '=', p(1)))
        .select(['m.role', 'o.max_key_lifetime_days'])
        .where('o.id', '=', p(0)),
    );
    return { creatorRole: rows[0]?.role ?? null, maxKeyLifetimeDays: rows[0]?.max_key_lifetime_days ?? null };
  }

  updateKey<D extends Denial>(params: UpdateKeyParams<D>): Promise<UpdateOutcome<D>> {
    return updateKeyFewRoundTrips(
      {
        queries: this.ctx.queries,
        transaction: (fn) => this.ctx.transaction(fn),
        writesInOneStatement: this.writesInOneStatement,
      },
      params,
    );
  }

  async revokeKey<D extends Denial>(params: RevokeKeyParams<D>): Promise<RevokeOutcome<D>> {
    const { organizationId, keyId, now, judge } = params;
    const audit = { ...originOf(params.audit), action: 'key.revoke', organizationId, targetKeyId: keyId } as const;
    return this.ctx.transaction(async (trx): Promise<RevokeOutcome<D>> => {
      if (!(await lockLiveKey(trx, this.ctx.queries, organizationId, keyId, now))) {
        await insertAudit(trx, { ...audit, result: 'denied', reason: 'KEY_NOT_FOUND', before: null, after: null });
        return { status: 'not_found' };
      }
      const before = await readKey(trx, keyId);
      if (!before) throw new Error('locked key not found');
      const denial = judge ? judge(before, await this.keyJudgeContext(trx, before)) : null;
      if (denial !== null) {
        // Nothing was changed: the denial's row commits on its own in this transaction.
        await insertAudit(trx, { ...audit, result: 'denied', reason: denial.code, before, after: null });
        return { status: 'denied', denial };
      }
      await trx.updateTable('api_keys').set({ revoked_at: now, updated_at: now }).where('id', '=', keyId).execute();
      await insertAudit(trx, { ...audit, result: 'allowed', reason: null, before, after: null });
      const key = await readKey(trx, keyId);
      if (!key) throw new Error('revoked key not found');
      return { status: 'revoked', key };
    });
  }
}
