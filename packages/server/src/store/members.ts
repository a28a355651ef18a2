/**
 * The members of an organization: listing, adding, changing a role, removing. Written once
 * with Kysely for every dialect, like sql-store.ts, whose SqlStore delegates here.
 *
 * Every change runs in one transaction that begins with the portable row lock on the
 * organization's row (an UPDATE that changes nothing), so concurrent member changes of one
 * organization queue there and each judges the owner count, the actor's role and the
 * target's role as they stand — on SQLite and on PostgreSQL (READ COMMITTED: every statement
 * after the lock sees what the transactions queued before it committed). The judgement is
 * roles.ts's; every attempt, allowed or denied, writes its audit row(s) in that transaction.
 */
import { canonicalScopes } from '@codika/contract/scopes';
import { judgeMemberAdd, judgeMemberChange, leavesNoOwner, type MemberDenialCode } from '../roles.js';
import { insertAudit, insertAudits, originOf } from './audit.js';
import type { Db, SqlContext, StoreParams } from './db.js';
import { normalizeEmail } from './emails.js';
import { lockOrganization } from './key-rows.js';
import type {
  AddMemberOutcome,
  AuditAction,
  AuditEntryInput,
  AuditOrigin,
  KeyFields,
  MemberRecord,
  MemberRef,
  MemberState,
  RemoveMemberOutcome,
  Role,
  UpdateMemberOutcome,
} from './types.js';

const ROLE_ORDER: Record<Role, number> = { owner: 0, admin: 1, member: 2 };

interface MemberRow {
  user_id: string;
  email: string;
  role: Role;
  joined_at: string;
  last_sign_in_at: string | null;
  live_key_count: number | string | bigint;
}

function toMember(row: MemberRow): MemberRecord {
  return {
    userId: row.user_id,
    email: row.email,
    role: row.role,
    joinedAt: row.joined_at,
    lastSignInAt: row.last_sign_in_at,
    liveKeyCount: Number(row.live_key_count),
  };
}

function stateOf(member: { email: string; role: Role }): MemberState {
  return { email: member.email, role: member.role };
}

/** Members with their live key count: one query (the count is a correlated subquery). */
function memberRows(db: Db, organizationId: string, now: string) {
  return db
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select((eb) => [
      'u.id as user_id',
      'u.email',
      'm.role',
      // Memberships written before 0005 (or by setMembership) have no join time: the user's creation.
      eb.fn.coalesce('m.joined_at', 'u.created_at').as('joined_at'),
      // Only a sign-in since joining: adding an address must not tell whether it had an account before.
      eb
        .case()
        .when('u.last_sign_in_at', '>=', eb.fn.coalesce('m.joined_at', 'u.created_at'))
        .then(eb.ref('u.last_sign_in_at'))
        .else(null)
        .end()
        .as('last_sign_in_at'),
      eb
        .selectFrom('api_keys as k')
        .select((sub) => sub.fn.countAll<number | string | bigint>().as('n'))
        .whereRef('k.organization_id', '=', 'm.organization_id')
        .whereRef('k.created_by_user_id', '=', 'm.user_id')
        .where('k.revoked_at', 'is', null)
        .where((sub) => sub.or([sub('k.expires_at', 'is', null), sub('k.expires_at', '>', now)]))
        .as('live_key_count'),
    ])
    .where('m.organization_id', '=', organizationId);
}

function byRoleThenEmail(a: MemberRecord, b: MemberRecord): number {
  return ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
}

async function roleOf(trx: Db, organizationId: string, userId: string): Promise<Role | null> {
  const row = await trx
    .selectFrom('memberships')
    .select('role')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role ?? null;
}

async function findMember(trx: Db, organizationId: string, ref: MemberRef, now: string): Promise<MemberRecord | undefined> {
  const query = memberRows(trx, organizationId, now);
  const row = await ('userId' in ref
    ? query.where('u.id', '=', ref.userId)
    : query.where('u.email', '=', normalizeEmail(ref.email))
  ).executeTakeFirst();
  return row ? toMember(row as MemberRow) : undefined;
}

async function countOwners(trx: Db, organizationId: string): Promise<number> {
  const { n } = await trx
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Revoke every live key `userId` created in the organization, with a `key.revoke` row each
 * (before: the key's fields). Returns the ids, oldest key first.
 */
async function revokeLiveKeysOf(
  trx: Db,
  params: { organizationId: string; userId: string; now: string; audit: AuditEntryInput },
): Promise<string[]> {
  const { organizationId, userId, now } = params;
  const rows = await trx
    .selectFrom('api_keys as k')
    .leftJoin('api_key_scopes as s', 's.key_id', 'k.id')
    .select(['k.id', 'k.name', 'k.description', 's.scope'])
    .where('k.organization_id', '=', organizationId)
    .where('k.created_by_user_id', '=', userId)
    .where('k.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('k.expires_at', 'is', null), eb('k.expires_at', '>', now)]))
    .orderBy('k.created_at', 'asc')
    .orderBy('k.id', 'asc')
    .execute();
  const keys = new Map<string, { name: string; description: string; scopes: string[] }>();
  for (const row of rows) {
    let key = keys.get(row.id);
    if (!key) {
      key = { name: row.name, description: row.description, scopes: [] };
      keys.set(row.id, key);
    }
    if (row.scope !== null) key.scopes.push(row.scope);
  }
  if (keys.size === 0) return [];
  const ids = [...keys.keys()];
  await trx.updateTable('api_keys').set({ revoked_at: now, updated_at: now }).where('id', 'in', ids).execute();
  // One audit row per revoked key, all in one statement: a member with many keys costs no extra round trips.
  await insertAudits(
    trx,
    [...keys].map(([id, key]) => {
      const before: KeyFields = { name: key.name, description: key.description, scopes: canonicalScopes(key.scopes) };
      return { ...params.audit, action: 'key.revoke' as const, targetKeyId: id, before, after: null };
    }),
  );
  return ids;
}

/** An audit row of a member action, from the origin of the attempt. */
function memberAudit(
  origin: AuditOrigin,
  organizationId: string,
  action: AuditAction,
  fields: {
    result: 'allowed' | 'denied';
    reason: string | null;
    targetUserId: string | null;
    before: MemberState | null;
    after: MemberState | null;
  },
): AuditEntryInput {
  return {
    ...originOf(origin),
    organizationId,
    action,
    targetKeyId: null,
    ...fields,
  };
}

/** The row of an attempt on an organization that no longer exists. */
const ORGANIZATION_GONE = {
  result: 'denied',
  reason: 'ORGANIZATION_NOT_FOUND',
  targetUserId: null,
  before: null,
  after: null,
} as const;

export class MemberStore {
  constructor(private readonly ctx: SqlContext) {}

  async list(organizationId: string, now: string): Promise<MemberRecord[]> {
    const rows = await memberRows(this.ctx.db, organizationId, now).execute();
    return rows.map((row) => toMember(row as MemberRow)).sort(byRoleThenEmail);
  }

  async add(params: StoreParams<'addMember'>): Promise<AddMemberOutcome> {
    const { organizationId, role, now, actor } = params;
    const email = normalizeEmail(params.email);
    const audit = (fields: Parameters<typeof memberAudit>[3]) => memberAudit(params.audit, organizationId, 'member.add', fields);
    return this.ctx.transaction(async (trx): Promise<AddMemberOutcome> => {
      if (!(await lockOrganization(trx, organizationId))) {
        await insertAudit(trx, audit(ORGANIZATION_GONE));
        return { status: 'organization_not_found' };
      }
      const actorRole = actor.kind === 'member' ? await roleOf(trx, organizationId, actor.userId) : null;
      const denial = judgeMemberAdd(actor, actorRole, role);
      if (denial !== null) {
        const after = { email, role };
        await insertAudit(trx, audit({ result: 'denied', reason: denial, targetUserId: null, before: null, after }));
        return { status: 'denied', code: denial };
      }

      await trx
        .insertInto('users')
        .values({ id: params.newUserId, email, created_at: now, last_sign_in_at: null })
        .onConflict((oc) => oc.column('email').doNothing())
        .execute();
      const user = await trx.selectFrom('users').select(['id', 'email']).where('email', '=', email).executeTakeFirstOrThrow();

      const existing = await findMember(trx, organizationId, { userId: user.id }, now);
      if (existing) {
        await insertAudit(
          trx,
          audit({
            result: 'denied',
            reason: 'MEMBER_EXISTS',
            targetUserId: user.id,
            before: stateOf(existing),
            after: { email, role },
          }),
        );
        return { status: 'exists', member: existing };
      }

      // Keys left from an earlier membership (removed before removals revoked keys, or made in
      // a race with the removal) must not come back with the person.
      const revokedKeyIds = await revokeLiveKeysOf(trx, {
        organizationId,
        userId: user.id,
        now,
        audit: audit({ result: 'allowed', reason: null, targetUserId: user.id, before: null, after: null }),
      });
      await trx
        .insertInto('memberships')
        .values({ organization_id: organizationId, user_id: user.id, role, joined_at: now })
        .execute();
      await insertAudit(
        trx,
        audit({ result: 'allowed', reason: null, targetUserId: user.id, before: null, after: { email: user.email, role } }),
      );
      const member = await findMember(trx, organizationId, { userId: user.id }, now);
      if (!member) throw new Error('added member not found');
      return { status: 'added', member, userCreated: user.id === params.newUserId, revokedKeyIds };
    });
  }

  /**
   * The common head of a role change and a removal: lock, actor's right, target, rules.
   * Returns the target and the owner count to go on with, or the outcome to answer.
   */
  private async judge(
    trx: Db,
    params: StoreParams<'removeMember'> & { newRole: Role | null },
    action: 'member.update' | 'member.remove',
  ): Promise<
    | { go: true; target: MemberRecord; forced: boolean }
    | {
        go: false;
        outcome: { status: 'organization_not_found' } | { status: 'not_found' } | { status: 'denied'; code: MemberDenialCode };
      }
  > {
    const { organizationId, member, newRole, now, actor } = params;
    const audit = (fields: Parameters<typeof memberAudit>[3]) => memberAudit(params.audit, organizationId, action, fields);
    if (!(await lockOrganization(trx, organizationId))) {
      await insertAudit(trx, audit({ ...ORGANIZATION_GONE, targetUserId: 'userId' in member ? member.userId : null }));
      return { go: false, outcome: { status: 'organization_not_found' } };
    }
    const actorRole = actor.kind === 'member' ? await roleOf(trx, organizationId, actor.userId) : null;
    // The caller's own right comes before the target is looked up (nothing learned about it).
    if (actor.kind === 'member' && actorRole !== 'owner' && actorRole !== 'admin') {
      await insertAudit(trx, audit({ result: 'denied', reason: 'NOT_ORG_ADMIN', targetUserId: null, before: null, after: null }));
      return { go: false, outcome: { status: 'denied', code: 'NOT_ORG_ADMIN' } };
    }
    const target = await findMember(trx, organizationId, member, now);
    if (!target) {
      const targetUserId = 'userId' in member ? member.userId : null;
      await insertAudit(trx, audit({ result: 'denied', reason: 'MEMBER_NOT_FOUND', targetUserId, before: null, after: null }));
      return { go: false, outcome: { status: 'not_found' } };
    }
    const facts = { actor, actorRole, target, newRole, owners: await countOwners(trx, organizationId) };
    const denial = judgeMemberChange(facts);
    if (denial !== null) {
      const after = newRole === null ? null : { email: target.email, role: newRole };
      await insertAudit(
        trx,
        audit({ result: 'denied', reason: denial, targetUserId: target.userId, before: stateOf(target), after }),
      );
      return { go: false, outcome: { status: 'denied', code: denial } };
    }
    return { go: true, target, forced: leavesNoOwner(facts) };
  }

  async updateRole(params: StoreParams<'updateMemberRole'>): Promise<UpdateMemberOutcome> {
    const { organizationId, role, now } = params;
    return this.ctx.transaction(async (trx): Promise<UpdateMemberOutcome> => {
      const judged = await this.judge(trx, { ...params, newRole: role }, 'member.update');
      if (!judged.go) return judged.outcome;
      const { target, forced } = judged;
      if (target.role !== role) {
        await trx
          .updateTable('memberships')
          .set({ role })
          .where('organization_id', '=', organizationId)
          .where('user_id', '=', target.userId)
          .execute();
      }
      await insertAudit(
        trx,
        memberAudit(params.audit, organizationId, 'member.update', {
          result: 'allowed',
          reason: forced ? 'LAST_OWNER' : null,
          targetUserId: target.userId,
          before: stateOf(target),
          after: { email: target.email, role },
        }),
      );
      const member = await findMember(trx, organizationId, { userId: target.userId }, now);
      if (!member) throw new Error('updated member not found');
      return { status: 'updated', member, previousRole: target.role, forced };
    });
  }

  async remove(params: StoreParams<'removeMember'>): Promise<RemoveMemberOutcome> {
    const { organizationId, now } = params;
    return this.ctx.transaction(async (trx): Promise<RemoveMemberOutcome> => {
      const judged = await this.judge(trx, { ...params, newRole: null }, 'member.remove');
      if (!judged.go) return judged.outcome;
      const { target, forced } = judged;
      const revokedKeyIds = await revokeLiveKeysOf(trx, {
        organizationId,
        userId: target.userId,
        now,
        audit: memberAudit(params.audit, organizationId, 'key.revoke', {
          result: 'allowed',
          reason: null,
          targetUserId: target.userId,
          before: null,
          after: null,
        }),
      });
      await trx
        .deleteFrom('memberships')
        .where('organization_id', '=', organizationId)
        .where('user_id', '=', target.userId)
        .execute();
      await insertAudit(
        trx,
        memberAudit(params.audit, organizationId, 'member.remove', {
          result: 'allowed',
          reason: forced ? 'LAST_OWNER' : null,
          targetUserId: target.userId,
          before: stateOf(target),
          after: null,
        }),
      );
      return { status: 'removed', member: target, revokedKeyIds, forced };
    });
  }
}
