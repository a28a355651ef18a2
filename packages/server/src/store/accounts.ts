/**
 * The store's accounts queries: e-mailed one-time codes, sign-up and sign-in by code, a
 * user's organizations, organization creation. SqlStore delegates to these functions (thin
 * methods there); they follow its rules — every write and its audit rows in one transaction,
 * state-dependent rules (attempts left, live-key limit) judged inside it after the portable
 * row lock (an UPDATE first).
 *
 * The code attempt (attemptCode) is the same for every completion: an atomic
 * `attempts = attempts + 1` on the address's code row, only while the code is of the right
 * purpose, unexpired and has tries left — that UPDATE is also the row lock, so two instances
 * checking the same code queue on it and share one count. Then the caller's constant-time
 * check of the stored hash. A wrong code commits its count (and burns the code at the last
 * try); a right one is deleted with the rest of the write, or, when the completion is refused,
 * everything rolls back and the code stays exactly as it was.
 */

import { sql } from 'kysely';
import { insertAudit, originOf } from './audit.js';
import { type Db, RollbackWith, type StoreParams } from './db.js';
import { normalizeEmail } from './emails.js';
import { countLiveKeys, insertKey, lockOrganization } from './key-rows.js';
import type {
  AuditEntryInput,
  AuditOrigin,
  CodeAttempt,
  CodePurpose,
  LoginCodeInput,
  LoginOutcome,
  OrganizationDetails,
  RedeemOutcome,
  SignupOutcome,
  User,
  UserOrganization,
} from './types.js';

/** What the accounts functions need of the store: its connection and its transaction runner. */
export interface AccountsContext {
  db: Db;
  transaction<T>(fn: (trx: Db) => Promise<T>): Promise<T>;
}

// ---- codes -------------------------------------------------------------------

export async function saveLoginCode(ctx: AccountsContext, input: LoginCodeInput): Promise<void> {
  const email = normalizeEmail(input.email);
  await ctx.transaction(async (trx) => {
    // Codes nobody completed are removed once expired: the table holds pending codes only.
    await trx.deleteFrom('login_codes').where('expires_at', '<=', input.createdAt).execute();
    await trx
      .insertInto('login_codes')
      .values({
        email,
        purpose: input.purpose,
        code_hash: input.codeHash,
        created_at: input.createdAt,
        expires_at: input.expiresAt,
        attempts: 0,
      })
      .onConflict((oc) =>
        oc.column('email').doUpdateSet({
          purpose: input.purpose,
          code_hash: input.codeHash,
          created_at: input.createdAt,
          expires_at: input.expiresAt,
          attempts: 0,
        }),
      )
      .execute();
  });
}

export async function deleteLoginCode(ctx: AccountsContext, email: string, codeHash?: string): Promise<boolean> {
  // A transaction like saveLoginCode's: a request that removes a code costs what one that saves one does.
  return ctx.transaction(async (trx) => {
    let query = trx.deleteFrom('login_codes').where('email', '=', normalizeEmail(email));
    if (codeHash !== undefined) query = query.where('code_hash', '=', codeHash);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

type CodeVerdict = 'right' | 'wrong';

/** Count the attempt and judge the code (see the module comment). The right code is consumed. */
async function attemptCode(trx: Db, attempt: CodeAttempt): Promise<CodeVerdict> {
  const email = normalizeEmail(attempt.email);
  const counted = await trx
    .updateTable('login_codes')
    .set({ attempts: sql`attempts + 1` })
    .where('email', '=', email)
    .where('purpose', '=', attempt.purpose)
    .where('expires_at', '>', attempt.now)
    .where('attempts', '<', attempt.maxAttempts)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) === 0) return 'wrong';
  const row = await trx
    .selectFrom('login_codes')
    .select(['code_hash', 'attempts'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  if (attempt.check(row.code_hash)) {
    await trx.deleteFrom('login_codes').where('email', '=', email).execute();
    return 'right';
  }
  // The last allowed try was wrong: the code is burned.
  if (Number(row.attempts) >= attempt.maxAttempts) await trx.deleteFrom('login_codes').where('email', '=', email).execute();
  return 'wrong';
}

async function findUser(trx: Db, email: string): Promise<User | undefined> {
  const row = await trx
    .selectFrom('users')
    .select(['id', 'email', 'created_at'])
    .where('email', '=', normalizeEmail(email))
    .executeTakeFirst();
  return row ? { id: row.id, email: row.email, createdAt: row.created_at } : undefined;
}

export async function listUserOrganizations(db: Db, userId: string): Promise<UserOrganization[]> {
  const rows = await db
    .selectFrom('memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .select(['o.id', 'o.name', 'm.role'])
    .where('m.user_id', '=', userId)
    .orderBy('o.name', 'asc')
    .orderBy('o.id', 'asc')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role }));
}

/** A complete audit row from the caller's base and what the store knows. */
function row(base: AuditOrigin, rest: Omit<AuditEntryInput, keyof AuditOrigin>): AuditEntryInput {
  return { ...originOf(base), ...rest };
}

/** The `account.signup` / `account.login` row of a completed code: the person (the actor) and the key it minted. */
function codeCompleted(
  as: AuditOrigin,
  purpose: CodePurpose,
  email: string,
  organizationId: string,
  keyId: string,
): AuditEntryInput {
  return row(as, {
    action: purpose === 'signup' ? 'account.signup' : 'account.login',
    result: 'allowed',
    reason: null,
    organizationId,
    targetKeyId: keyId,
    targetUserId: as.actorUserId,
    before: null,
    after: { email, purpose },
  });
}

/**
 * The audit row(s) of a wrong code: one per organization of the address's user, so each
 * organization's history shows the attempts on its member; one without organization when
 * the address has no user or the user no organization.
 */
async function auditWrongCode(trx: Db, attempt: CodeAttempt, audit: AuditOrigin): Promise<void> {
  const email = normalizeEmail(attempt.email);
  const user = await findUser(trx, email);
  const organizations = user ? await listUserOrganizations(trx, user.id) : [];
  const targets = organizations.length > 0 ? organizations.map((o) => o.id) : [null];
  for (const organizationId of targets) {
    await insertAudit(
      trx,
      row(audit, {
        action: 'account.code_failed',
        result: 'denied',
        reason: 'INVALID_CODE',
        organizationId,
        targetKeyId: null,
        targetUserId: user?.id ?? null,
        before: null,
        after: { email, purpose: attempt.purpose },
      }),
    );
  }
}

/**
 * Run a completion: the code attempt, then `complete` when the code is right. A wrong code
 * commits its count and audit rows and answers invalid_code; `complete` may throw
 * RollbackWith to refuse with everything undone (the code kept).
 */
async function withCode<T>(
  ctx: AccountsContext,
  attempt: CodeAttempt,
  audit: AuditOrigin,
  complete: (trx: Db) => Promise<T>,
): Promise<T | { status: 'invalid_code' }> {
  try {
    return await ctx.transaction(async (trx) => {
      if ((await attemptCode(trx, attempt)) === 'wrong') {
        await auditWrongCode(trx, attempt, audit);
        return { status: 'invalid_code' as const };
      }
      return complete(trx);
    });
  } catch (err) {
    if (err instanceof RollbackWith) return err.outcome as T;
    throw err;
  }
}

// ---- sign-up -----------------------------------------------------------------

export async function completeSignup(ctx: AccountsContext, params: StoreParams<'completeSignup'>): Promise<SignupOutcome> {
  const { now, audit } = params;
  const email = normalizeEmail(params.email);
  return withCode(ctx, params, audit, async (trx): Promise<SignupOutcome> => {
    let user = await findUser(trx, email);
    const isNewUser = user === undefined;
    if (user === undefined) {
      await trx.insertInto('users').values({ id: params.userId, email, created_at: now, last_sign_in_at: now }).execute();
      user = { id: params.userId, email, createdAt: now };
    } else {
      await trx.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', user.id).execute();
    }
    const org = params.organization;
    await trx
      .insertInto('organizations')
      .values({ id: org.id, name: org.name, created_at: now, description: org.description, size: org.size })
      .execute();
    await trx
      .insertInto('memberships')
      .values({ organization_id: org.id, user_id: user.id, role: 'owner', joined_at: now })
      .execute();
    const as = { ...audit, actorKeyId: null, actorUserId: user.id };
    await insertAudit(
      trx,
      row(as, {
        action: 'organization.create',
        result: 'allowed',
        reason: null,
        organizationId: org.id,
        targetKeyId: null,
        targetUserId: user.id,
        before: null,
        after: null,
      }),
    );
    const key = await insertKey(
      trx,
      { ...params.key, organizationId: org.id, createdByUserId: user.id, scopes: params.scopes },
      { ...originOf(as), targetUserId: user.id },
    );
    await insertAudit(trx, codeCompleted(as, 'signup', email, org.id, key.id));
    return {
      status: 'signed_up',
      user,
      isNewUser,
      organization: { id: org.id, name: org.name, createdAt: now, description: org.description, size: org.size },
      key,
    };
  });
}

// ---- sign-in -----------------------------------------------------------------

export async function completeLogin(ctx: AccountsContext, params: StoreParams<'completeLogin'>): Promise<LoginOutcome> {
  const { now, audit } = params;
  const email = normalizeEmail(params.email);
  const refuse = (outcome: LoginOutcome): never => {
    throw new RollbackWith<LoginOutcome>(outcome);
  };
  return withCode(ctx, params, audit, async (trx): Promise<LoginOutcome> => {
    const user = (await findUser(trx, email)) ?? refuse({ status: 'no_organization' });
    const organizations = await listUserOrganizations(trx, user.id);
    let chosen: UserOrganization | undefined;
    if (params.organizationId !== undefined) {
      chosen = organizations.find((o) => o.id === params.organizationId);
      if (chosen === undefined) refuse({ status: 'organization_not_found', organizations });
    } else if (organizations.length === 1) {
      chosen = organizations[0];
    } else if (organizations.length > 1) {
      refuse({ status: 'multiple_organizations', organizations });
    }
    if (chosen === undefined) return refuse({ status: 'no_organization' });

    // The organization row lock, then the live-key limit judged against it.
    if (!(await lockOrganization(trx, chosen.id))) refuse({ status: 'no_organization' });
    const organization = await trx
      .selectFrom('organizations')
      .select(['id', 'name', 'created_at', 'max_key_lifetime_days'])
      .where('id', '=', chosen.id)
      .executeTakeFirstOrThrow();
    // The role as the locked state holds it (a role change committed meanwhile is seen).
    const membership = await trx
      .selectFrom('memberships')
      .select('role')
      .where('organization_id', '=', chosen.id)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (membership === undefined) return refuse({ status: 'organization_not_found', organizations });
    if ((await countLiveKeys(trx, chosen.id, now)) >= params.maxLiveKeys) {
      refuse({ status: 'limit_reached', limit: params.maxLiveKeys });
    }
    const role = membership.role;
    const as = { ...audit, actorKeyId: null, actorUserId: user.id };
    // The organization's maximum key lifetime (issue 12): the minted key lives at most that long.
    const expiresAt = cappedExpiry(params.key.expiresAt, params.key.createdAt, organization.max_key_lifetime_days);
    const key = await insertKey(
      trx,
      { ...params.key, expiresAt, organizationId: chosen.id, createdByUserId: user.id, scopes: params.scopesFor(role) },
      { ...originOf(as), targetUserId: user.id },
    );
    await trx.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', user.id).execute();
    await insertAudit(trx, codeCompleted(as, 'login', email, chosen.id, key.id));
    return {
      status: 'signed_in',
      user,
      organization: { id: organization.id, name: organization.name, createdAt: organization.created_at },
      role,
      key,
    };
  });
}

export async function redeemLoginCode(
  ctx: AccountsContext,
  params: CodeAttempt & { audit: AuditOrigin },
): Promise<RedeemOutcome> {
  const { now, audit } = params;
  const email = normalizeEmail(params.email);
  return withCode(ctx, params, audit, async (trx): Promise<RedeemOutcome> => {
    const user = await findUser(trx, email);
    // A right code for an address without a user (it was never one of ours): nothing to sign in.
    if (user === undefined) throw new RollbackWith<RedeemOutcome>({ status: 'invalid_code' });
    await trx.updateTable('users').set({ last_sign_in_at: now }).where('id', '=', user.id).execute();
    await insertAudit(
      trx,
      row(
        { ...audit, actorKeyId: null, actorUserId: user.id },
        {
          action: 'account.login',
          result: 'allowed',
          reason: null,
          organizationId: null,
          targetKeyId: null,
          targetUserId: user.id,
          before: null,
          after: { email, purpose: params.purpose },
        },
      ),
    );
    return { status: 'redeemed', user, organizations: await listUserOrganizations(trx, user.id) };
  });
}

// ---- organizations -------------------------------------------------------------

export async function createOrganizationForUser(
  ctx: AccountsContext,
  params: StoreParams<'createOrganizationForUser'>,
): Promise<OrganizationDetails> {
  const { organization: org, ownerUserId, audit } = params;
  return ctx.transaction(async (trx) => {
    await trx
      .insertInto('organizations')
      .values({ id: org.id, name: org.name, created_at: org.createdAt, description: org.description, size: org.size })
      .execute();
    await trx
      .insertInto('memberships')
      .values({ organization_id: org.id, user_id: ownerUserId, role: 'owner', joined_at: org.createdAt })
      .execute();
    await insertAudit(
      trx,
      row(audit, {
        action: 'organization.create',
        result: 'allowed',
        reason: null,
        organizationId: org.id,
        targetKeyId: null,
        targetUserId: ownerUserId,
        before: null,
        after: null,
      }),
    );
    return { id: org.id, name: org.name, createdAt: org.createdAt, description: org.description, size: org.size };
  });
}

/** An expiry cut to `createdAt` + the organization's maximum key lifetime, when it has one the expiry breaks. */
function cappedExpiry(expiresAt: string | null, createdAt: string, maxKeyLifetimeDays: number | null): string | null {
  if (maxKeyLifetimeDays === null) return expiresAt;
  const latest = Date.parse(createdAt) + maxKeyLifetimeDays * 24 * 60 * 60 * 1000;
  if (expiresAt !== null && Date.parse(expiresAt) <= latest) return expiresAt;
  return new Date(latest).toISOString();
}
