/**
 * Keys: authentication by hash (through the auth cache), listing, creation under the
 * live-key limit, update and revocation. SqlStore (sql-store.ts) delegates here.
 *
 * Update and revocation begin with the portable row lock on the live key (lockLiveKey), so
 * the judge sees a state nobody else can change until commit; scope changes are SQL
 * statements on api_key_scopes rows.
 */
import { canonicalScopes } from '@codika/contract/scopes';
import { type CompiledQuery, sql } from 'kysely';
import { insertAudit, originOf } from './audit.js';
import { AuthCache } from './auth-cache.js';
import { type Db, RollbackWith, type SqlContext } from './db.js';
import { fieldsOf } from './key-fields.js';
import { applyLifecycleChange } from './key-lifecycle.js';
import {
  countLiveKeys,
  foldKeys,
  insertKey,
  KEY_COLUMNS,
  keyRows,
  lockOrganization,
  readKey,
  withoutCreator,
} from './key-rows.js';
import type {
  ApiKeyRecord,
  ApiKeyWithCreator,
  AuditOrigin,
  AuthRecord,
  CreateOutcome,
  Denial,
  KeyChange,
  KeyJudgeContext,
  NewKeyInput,
  RevokeKeyParams,
  RevokeOutcome,
  UpdateKeyParams,
  UpdateOutcome,
} from './types.js';

export class KeyStore {
  private readonly authCache = new AuthCache();

  /** `changeToken`: the adapter's query whose values change with the database (auth-cache.ts); none: no cache. */
  constructor(
    private readonly ctx: SqlContext,
    private readonly changeToken: CompiledQuery | undefined,
  ) {}

  async findAuthByHash(hash: string): Promise<AuthRecord | undefined> {
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

  /** The auth record of a key found by its id (a key's dashboard session, sessions.ts). */
  findAuthByKeyId(keyId: string): Promise<AuthRecord | undefined> {
    return this.findAuth('k.id', keyId);
  }

  /** The auth record of one key, found by its hash or (for sessions) its id. */
  private async findAuth(column: 'k.hash' | 'k.id', value: string): Promise<AuthRecord | undefined> {
    const { rows } = await this.ctx.queries.run(this.ctx.db, `findAuth:${column}`, [value], (p) => this.authQuery(column, p(0)));
    const first = rows[0];
    const key = foldKeys(rows)[0];
    if (!first || !key) return undefined;
    return {
      key: withoutCreator(key),
      organization: { id: first.organization_id, name: first.organization_name, createdAt: first.organization_created_at },
      user: { id: first.created_by_user_id, email: first.created_by_email, createdAt: first.user_created_at },
      role: first.role ?? null,
      // By hash, the row matched either secret; a rotation's previous one only through previous_hash.
      secret: column === 'k.hash' && first.hash !== value ? 'previous' : 'current',
    };
  }

  /** Key, organization, creating user, the user's current role and the scope rows: one query. */
  private authQuery(column: 'k.hash' | 'k.id', value: string) {
    return this.ctx.db
      .selectFrom('api_keys as k')
      .innerJoin('organizations as o', 'o.id', 'k.organization_id')
      .innerJoin('users as u', 'u.id', 'k.created_by_user_id')
      .leftJoin('memberships as m', (join) =>
        join.onRef('m.organization_id', '=', 'k.organization_id').onRef('m.user_id', '=', 'k.created_by_user_id'),
      )
      .leftJoin('api_key_scopes as s', 's.key_id', 'k.id')
      .select([
        ...KEY_COLUMNS,
        'o.name as organization_name',
        'o.created_at as organization_created_at',
        'u.created_at as user_created_at',
        'm.role',
        'k.hash',
      ])
      .where((eb) =>
        column === 'k.hash' ? eb.or([eb('k.hash', '=', value), eb('k.previous_hash', '=', value)]) : eb(column, '=', value),
      );
  }

  async touchLastUsed(keyId: string, at: string, staleBefore: string): Promise<void> {
    await this.ctx.db
      .updateTable('api_keys')
      .set({ last_used_at: at })
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

  /** The portable row lock: touch the live row without changing it; 0 rows → not live. */
  async lockLiveKey(trx: Db, organizationId: string, keyId: string, now: string): Promise<boolean> {
    const result = await this.ctx.queries.run(trx, 'lockLiveKey', [keyId, organizationId, now], (p) =>
      trx
        .updateTable('api_keys')
        .set({ updated_at: sql`updated_at` })
        .where('id', '=', p(0))
        .where('organization_id', '=', p(1))
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', p(2))])),
    );
    return Number(result.numAffectedRows ?? 0) > 0;
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

  /** Apply a change to a locked key with SQL statements on its row and its scope rows. */
  private async applyChange(trx: Db, keyId: string, change: KeyChange, now: string): Promise<void> {
    const args: string[] = [keyId, now];
    if (change.name !== undefined) args.push(change.name);
    if (change.description !== undefined) args.push(change.description);
    const hasName = change.name !== undefined;
    const hasDescription = change.description !== undefined;
    await this.ctx.queries.run(trx, `updateKeyRow:${hasName}:${hasDescription}`, args, (p) => {
      const set: { updated_at: string; name?: string; description?: string } = { updated_at: p(1) };
      if (hasName) set.name = p(2);
      if (hasDescription) set.description = p(hasName ? 3 : 2);
      return trx.updateTable('api_keys').set(set).where('id', '=', p(0));
    });

    if (change.scopes !== undefined) {
      await this.ctx.queries.run(trx, 'deleteScopes', [keyId], (p) =>
        trx.deleteFrom('api_key_scopes').where('key_id', '=', p(0)),
      );
      const scopes = canonicalScopes(change.scopes);
      if (scopes.length > 0) {
        await this.ctx.queries.run(trx, `insertScopes:${scopes.length}`, [keyId, ...scopes], (p) =>
          trx.insertInto('api_key_scopes').values(scopes.map((_, i) => ({ key_id: p(0), scope: p(i + 1) }))),
        );
      }
    }
    // add before remove: a scope named in both ends up removed.
    const add = canonicalScopes(change.addScopes ?? []);
    if (add.length > 0) {
      await trx
        .insertInto('api_key_scopes')
        .values(add.map((scope) => ({ key_id: keyId, scope })))
        .onConflict((oc) => oc.columns(['key_id', 'scope']).doNothing())
        .execute();
    }
    const remove = canonicalScopes(change.removeScopes ?? []);
    if (remove.length > 0) {
      await trx.deleteFrom('api_key_scopes').where('key_id', '=', keyId).where('scope', 'in', remove).execute();
    }
    await applyLifecycleChange(trx, keyId, change, now);
  }

  async updateKey<D extends Denial>(params: UpdateKeyParams<D>): Promise<UpdateOutcome<D>> {
    const { organizationId, keyId, change, dryRun, now, judge } = params;
    const audit = { ...originOf(params.audit), action: 'key.update', organizationId, targetKeyId: keyId } as const;
    let outcome: UpdateOutcome<D>;
    try {
      outcome = await this.ctx.transaction(async (trx): Promise<UpdateOutcome<D>> => {
        if (!(await this.lockLiveKey(trx, organizationId, keyId, now))) {
          await insertAudit(
            trx,
            { ...audit, result: 'denied', reason: 'KEY_NOT_FOUND', before: null, after: null },
            this.ctx.queries,
          );
          return { status: 'not_found' };
        }
        const before = await readKey(trx, keyId, this.ctx.queries);
        if (!before) throw new Error('locked key not found');
        const context = await this.keyJudgeContext(trx, before);
        await this.applyChange(trx, keyId, change, now);
        const after = await readKey(trx, keyId, this.ctx.queries);
        if (!after) throw new Error('updated key not found');

        const denial = judge(before, fieldsOf(after), context);
        if (denial !== null) {
          throw new RollbackWith<UpdateOutcome<D>>({ status: 'denied', denial, before, after: fieldsOf(after) });
        }
        if (dryRun) throw new RollbackWith<UpdateOutcome<D>>({ status: 'dry_run', before, after });

        await insertAudit(trx, { ...audit, result: 'allowed', reason: null, before, after }, this.ctx.queries);
        return { status: 'updated', before, after };
      });
    } catch (err) {
      if (!(err instanceof RollbackWith)) throw err;
      // The change is rolled back; the attempt is still recorded, on its own.
      outcome = err.outcome as UpdateOutcome<D>;
      if (outcome.status === 'denied') {
        await insertAudit(this.ctx.db, {
          ...audit,
          result: 'denied',
          reason: outcome.denial.code,
          before: outcome.before,
          after: outcome.after,
        });
      } else if (outcome.status === 'dry_run') {
        await insertAudit(this.ctx.db, {
          ...audit,
          result: 'dry_run',
          reason: null,
          before: outcome.before,
          after: outcome.after,
        });
      }
    }
    return outcome;
  }

  async revokeKey<D extends Denial>(params: RevokeKeyParams<D>): Promise<RevokeOutcome<D>> {
    const { organizationId, keyId, now, judge } = params;
    const audit = { ...originOf(params.audit), action: 'key.revoke', organizationId, targetKeyId: keyId } as const;
    return this.ctx.transaction(async (trx): Promise<RevokeOutcome<D>> => {
      if (!(await this.lockLiveKey(trx, organizationId, keyId, now))) {
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
