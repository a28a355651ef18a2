/**
 * The key lifecycle's queries (issue 12): rotation and the organization's settings (the
 * lifecycle columns of an update are written with the rest of it, in key-update.ts). Written with Kysely for every dialect, like sql-store.ts, which
 * delegates to this module.
 *
 * A rotation is one statement on the locked key row: `previous_hash = hash, hash = <new>` (the
 * right-hand side reads the row as it was, in SQLite and PostgreSQL alike), so the old secret
 * moves into the one previous slot — replacing, and so ending, any older previous secret — in
 * the same write that installs the new one. A key therefore has at most two secrets that
 * authenticate, whatever runs concurrently: rotations of one key queue on its row lock.
 */
import { sql } from 'kysely';
import { originOf } from './audit.js';
import type { Db } from './db.js';
import { fieldsOf } from './key-fields.js';
import { lockOrganization, readKey } from './key-rows.js';
import type {
  ApiKeyRecord,
  AuditEntryInput,
  AuditOrigin,
  Denial,
  KeyJudgeContext,
  OrganizationSettingsRecord,
  RotateKeyParams,
  RotateOutcome,
  UpdateSettingsOutcome,
} from './types.js';

/** A stored allowlist (JSON text) as a list; anything else than an array of strings comes back as one entry holding the text (it parses as no range: fails closed). */
export function parseAllowedIps(json: string | null): string[] | null {
  if (json === null) return null;
  try {
    const value: unknown = JSON.parse(json);
    if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value;
  } catch {
    // fall through: fail closed
  }
  return [json];
}

export interface KeyLifecycleDeps {
  db: Db;
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
  insertAudit(db: Db, entry: AuditEntryInput): Promise<void>;
  keyJudgeContext(trx: Db, key: ApiKeyRecord): Promise<KeyJudgeContext>;
  lockLiveKey(trx: Db, organizationId: string, keyId: string, now: string): Promise<boolean>;
}

export class KeyLifecycleStore {
  constructor(private readonly deps: KeyLifecycleDeps) {}

  async rotate<D extends Denial>(params: RotateKeyParams<D>): Promise<RotateOutcome<D>> {
    const { organizationId, keyId, now } = params;
    const audit = { ...originOf(params.audit), action: 'key.rotate', organizationId, targetKeyId: keyId } as const;
    const { insertAudit } = this.deps;
    return this.deps.transaction(async (trx): Promise<RotateOutcome<D>> => {
      if (!(await this.deps.lockLiveKey(trx, organizationId, keyId, now))) {
        await insertAudit(trx, { ...audit, result: 'denied', reason: 'KEY_NOT_FOUND', before: null, after: null });
        return { status: 'not_found' };
      }
      const before = await readKey(trx, keyId);
      if (!before) throw new Error('locked key not found');
      const context = await this.deps.keyJudgeContext(trx, before);
      const expiresAt = params.expiresAt(before, context.maxKeyLifetimeDays);
      const denial = params.judge(before, { ...context, expiresAt });
      if (denial !== null) {
        const after = fieldsOf({ ...fieldsOf(before), ...(expiresAt === null ? {} : { expiresAt }) });
        await insertAudit(trx, { ...audit, result: 'denied', reason: denial.code, before: fieldsOf(before), after });
        return { status: 'denied', denial };
      }
      const graceEndsAt = params.graceEndsAt(expiresAt);
      const keepPrevious = graceEndsAt !== null && Date.parse(graceEndsAt) > Date.parse(now);
      await trx
        .updateTable('api_keys')
        .set({
          previous_hash: keepPrevious ? sql`hash` : null,
          previous_hash_expires_at: keepPrevious ? graceEndsAt : null,
          hash: params.newHash,
          prefix: params.newPrefix,
          expires_at: expiresAt,
          updated_at: now,
        } as { hash: string })
        .where('id', '=', keyId)
        .execute();
      // A browser session opened with the old secret does not outlive it: the key's sessions end.
      await trx.deleteFrom('sessions').where('key_id', '=', keyId).execute();
      const key = await readKey(trx, keyId);
      if (!key) throw new Error('rotated key not found');
      await insertAudit(trx, { ...audit, result: 'allowed', reason: null, before: fieldsOf(before), after: fieldsOf(key) });
      return { status: 'rotated', before, key };
    });
  }

  async getSettings(organizationId: string): Promise<OrganizationSettingsRecord | undefined> {
    const row = await this.deps.db
      .selectFrom('organizations')
      .select(['id', 'max_key_lifetime_days'])
      .where('id', '=', organizationId)
      .executeTakeFirst();
    return row ? { organizationId: row.id, maxKeyLifetimeDays: row.max_key_lifetime_days } : undefined;
  }

  async updateSettings(params: {
    organizationId: string;
    maxKeyLifetimeDays: number | null;
    audit: AuditOrigin;
  }): Promise<UpdateSettingsOutcome> {
    const { organizationId, maxKeyLifetimeDays } = params;
    const audit = {
      ...originOf(params.audit),
      action: 'organization.settings_update',
      organizationId,
      targetKeyId: null,
    } as const;
    return this.deps.transaction(async (trx): Promise<UpdateSettingsOutcome> => {
      // The portable row lock first: concurrent changes queue, and each row's before is what it replaced.
      if (!(await lockOrganization(trx, organizationId))) return { status: 'organization_not_found' };
      const row = await trx
        .selectFrom('organizations')
        .select(['id', 'max_key_lifetime_days'])
        .where('id', '=', organizationId)
        .executeTakeFirst();
      if (!row) return { status: 'organization_not_found' };
      await trx
        .updateTable('organizations')
        .set({ max_key_lifetime_days: maxKeyLifetimeDays })
        .where('id', '=', organizationId)
        .execute();
      const before = { organizationId, maxKeyLifetimeDays: row.max_key_lifetime_days };
      const after = { organizationId, maxKeyLifetimeDays };
      await this.deps.insertAudit(trx, {
        ...audit,
        result: 'allowed',
        reason: null,
        before: { maxKeyLifetimeDays: before.maxKeyLifetimeDays },
        after: { maxKeyLifetimeDays },
      });
      return { status: 'updated', before, after };
    });
  }
}
