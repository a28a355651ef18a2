/**
 * The member methods of the Store, on every database (storeFactories: SQLite, and PostgreSQL
 * when CODIKA_TEST_DATABASE_URL is set), plus what the key judges learn of a creator's role.
 */
import type { Scope } from '@codika/contract/scopes';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import type { MemberActor } from '../roles.js';
import { mintOrgKey } from '../secrets.js';
import { storeFactories } from '../test-support/stores.js';
import type { Database } from './schema.js';
import type { AuditOrigin, Role, Store, User } from './types.js';

const T0 = '2026-03-31T14:00:00.000Z';
const T1 = '2026-03-31T15:00:00.000Z';
const T2 = '2026-03-31T16:00:00.000Z';

function origin(at = T1): AuditOrigin {
  return { at, requestId: newId(), actorKeyId: null, actorUserId: null, sourceIp: '127.0.0.1', userAgent: 'vitest' };
}

const operator: MemberActor = { kind: 'operator' };
const as = (user: User): MemberActor => ({ kind: 'member', userId: user.id });

async function addKey(store: Store, organizationId: string, userId: string, options: { expiresAt?: string; name?: string } = {}) {
  const minted = mintOrgKey();
  const id = newId();
  const scopes: Scope[] = ['projects:read', 'deploy:use-case'];
  const name = options.name ?? 'k';
  const outcome = await store.createKey(
    {
      id,
      organizationId,
      createdByUserId: userId,
      name,
      description: '',
      scopes,
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: T0,
      expiresAt: options.expiresAt ?? null,
    },
    100,
    origin(T0),
  );
  if (outcome.status !== 'created') throw new Error('key not created');
  return { id, hash: minted.hash };
}

for (const factory of storeFactories) {
  describe(`Store members: ${factory.name}`, () => {
    let store: Store;
    let orgId: string;
    let otherOrgId: string;
    const people: Record<string, User> = {};

    async function person(email: string, role: Role, organizationId = orgId): Promise<User> {
      const user = await store.ensureUser({ id: newId(), email, createdAt: T0 });
      await store.setMembership({ organizationId, userId: user.id, role });
      return user;
    }

    beforeEach(async () => {
      store = await factory.create();
      orgId = (await store.createOrganization({ id: newId(), name: 'Acme', createdAt: T0 })).id;
      otherOrgId = (await store.createOrganization({ id: newId(), name: 'Other', createdAt: T0 })).id;
      people.owner = await person('owner@acme.test', 'owner');
      people.admin = await person('admin@acme.test', 'admin');
      people.member = await person('member@acme.test', 'member');
      people.stranger = await person('stranger@other.test', 'owner', otherOrgId);
    });
    afterEach(async () => {
      await store.close();
    });

    const memberAudit = async () =>
      (await store.listAudit({ organizationId: orgId, limit: 1000 })).filter((r) => r.action !== 'key.create').reverse();

    describe('listMembers', () => {
      it('lists owners, admins, members (each by e-mail) with join time, last sign-in and live key count, in one query', async () => {
        await person('a-owner@acme.test', 'owner');
        await addKey(store, orgId, people.admin!.id);
        await addKey(store, orgId, people.admin!.id);
        await addKey(store, orgId, people.admin!.id, { expiresAt: T0 }); // expired at T1: not live
        const revoked = await addKey(store, orgId, people.admin!.id);
        await store.revokeKey({
          organizationId: orgId,
          keyId: revoked.id,
          now: T0,
          audit: origin(T0),
        });
        await addKey(store, otherOrgId, people.stranger!.id);

        const members = await store.listMembers(orgId, T1);
        expect(members.map((m) => [m.email, m.role, m.liveKeyCount])).toEqual([
          ['a-owner@acme.test', 'owner', 0],
          ['owner@acme.test', 'owner', 0],
          ['admin@acme.test', 'admin', 2],
          ['member@acme.test', 'member', 0],
        ]);
        expect(members[2]).toEqual({
          userId: people.admin!.id,
          email: 'admin@acme.test',
          role: 'admin',
          joinedAt: T0, // setMembership writes no join time: the user's creation stands in
          lastSignInAt: null,
          liveKeyCount: 2,
        });
        expect(await store.listMembers(newId(), T1)).toEqual([]);
      });
    });

    describe('addMember', () => {
      it('creates a new user, joins them at `now`, writes a member.add row', async () => {
        const newUserId = newId();
        const outcome = await store.addMember({
          organizationId: orgId,
          email: ' New@Acme.test ',
          role: 'admin',
          newUserId,
          now: T1,
          actor: as(people.owner!),
          audit: origin(),
        });
        expect(outcome).toEqual({
          status: 'added',
          userCreated: true,
          revokedKeyIds: [],
          member: { userId: newUserId, email: 'new@acme.test', role: 'admin', joinedAt: T1, lastSignInAt: null, liveKeyCount: 0 },
        });
        const [row] = await memberAudit();
        expect(row).toMatchObject({
          action: 'member.add',
          result: 'allowed',
          reason: null,
          organizationId: orgId,
          targetUserId: newUserId,
          targetKeyId: null,
          before: null,
          after: { email: 'new@acme.test', role: 'admin' },
        });
      });

      it('adds an existing user of another organization without creating one', async () => {
        const outcome = await store.addMember({
          organizationId: orgId,
          email: 'stranger@other.test',
          role: 'member',
          newUserId: newId(),
          now: T1,
          actor: as(people.admin!),
          audit: origin(),
        });
        expect(outcome).toMatchObject({ status: 'added', userCreated: false, member: { userId: people.stranger!.id } });
        expect((await store.getMembership(otherOrgId, people.stranger!.id))?.role).toBe('owner');
      });

      it('shows a last sign-in only since the person joined: adding an address tells nothing of its past', async () => {
        const db = (store as unknown as { db: Kysely<Database> }).db;
        const signIn = (at: string) =>
          db.updateTable('users').set({ last_sign_in_at: at }).where('id', '=', people.stranger!.id).execute();
        await signIn(T0);
        const outcome = await store.addMember({
          organizationId: orgId,
          email: 'stranger@other.test',
          role: 'member',
          newUserId: newId(),
          now: T1,
          actor: as(people.owner!),
          audit: origin(),
        });
        expect(outcome).toMatchObject({ status: 'added', member: { joinedAt: T1, lastSignInAt: null } });
        await signIn(T2);
        const [listed] = (await store.listMembers(orgId, T2)).filter((m) => m.userId === people.stranger!.id);
        expect(listed?.lastSignInAt).toBe(T2);
        // In the organization they belonged to all along, the earlier sign-in showed.
        await signIn(T0);
        expect((await store.listMembers(otherOrgId, T2))[0]?.lastSignInAt).toBe(T0);
      });

      it('refuses an existing member (MEMBER_EXISTS row, nothing changed)', async () => {
        const outcome = await store.addMember({
          organizationId: orgId,
          email: 'member@acme.test',
          role: 'admin',
          newUserId: newId(),
          now: T1,
          actor: as(people.owner!),
          audit: origin(),
        });
        expect(outcome).toMatchObject({ status: 'exists', member: { userId: people.member!.id, role: 'member' } });
        expect((await store.getMembership(orgId, people.member!.id))?.role).toBe('member');
        expect((await memberAudit())[0]).toMatchObject({
          action: 'member.add',
          result: 'denied',
          reason: 'MEMBER_EXISTS',
          targetUserId: people.member!.id,
          before: { email: 'member@acme.test', role: 'member' },
          after: { email: 'member@acme.test', role: 'admin' },
        });
      });

      it('lets only an owner add an owner, and only admins and owners add at all; refusals create no user', async () => {
        for (const [actor, role, code] of [
          [people.admin!, 'owner', 'ROLE_HIERARCHY'],
          [people.member!, 'member', 'NOT_ORG_ADMIN'],
          [people.stranger!, 'member', 'NOT_ORG_ADMIN'],
        ] as const) {
          const outcome = await store.addMember({
            organizationId: orgId,
            email: 'x@acme.test',
            role,
            newUserId: newId(),
            now: T1,
            actor: as(actor),
            audit: origin(),
          });
          expect(outcome).toEqual({ status: 'denied', code });
        }
        expect(await store.getUserByEmail('x@acme.test')).toBeUndefined();
        expect((await memberAudit()).map((r) => [r.result, r.reason])).toEqual([
          ['denied', 'ROLE_HIERARCHY'],
          ['denied', 'NOT_ORG_ADMIN'],
          ['denied', 'NOT_ORG_ADMIN'],
        ]);
      });

      it('revokes live keys left from an earlier membership, so they never come back', async () => {
        const key = await addKey(store, orgId, people.member!.id);
        // Removed the old way (no revocation): the key is orphaned but not revoked.
        await store.removeMembership(orgId, people.member!.id);
        const outcome = await store.addMember({
          organizationId: orgId,
          email: 'member@acme.test',
          role: 'member',
          newUserId: newId(),
          now: T1,
          actor: operator,
          audit: origin(),
        });
        expect(outcome).toMatchObject({ status: 'added', revokedKeyIds: [key.id], member: { liveKeyCount: 0 } });
        expect((await store.findAuthByHash(key.hash))?.key.revokedAt).toBe(T1);
        expect((await memberAudit()).map((r) => [r.action, r.targetKeyId, r.targetUserId])).toEqual([
          ['key.revoke', key.id, people.member!.id],
          ['member.add', null, people.member!.id],
        ]);
      });

      it('answers organization_not_found for an unknown organization', async () => {
        const outcome = await store.addMember({
          organizationId: newId(),
          email: 'x@acme.test',
          role: 'member',
          newUserId: newId(),
          now: T1,
          actor: operator,
          audit: origin(),
        });
        expect(outcome).toEqual({ status: 'organization_not_found' });
      });
    });

    describe('updateMemberRole', () => {
      it('changes a role by user id or by e-mail, with before/after in the audit row', async () => {
        const byId = await store.updateMemberRole({
          organizationId: orgId,
          member: { userId: people.member!.id },
          role: 'admin',
          now: T1,
          actor: as(people.admin!),
          audit: origin(),
        });
        expect(byId).toMatchObject({ status: 'updated', previousRole: 'member', forced: false, member: { role: 'admin' } });
        const byEmail = await store.updateMemberRole({
          organizationId: orgId,
          member: { email: 'MEMBER@acme.test' },
          role: 'member',
          now: T2,
          actor: as(people.owner!),
          audit: origin(T2),
        });
        expect(byEmail).toMatchObject({ status: 'updated', previousRole: 'admin', member: { role: 'member' } });
        expect((await memberAudit()).map((r) => [r.action, r.result, r.targetUserId, r.before, r.after])).toEqual([
          [
            'member.update',
            'allowed',
            people.member!.id,
            { email: 'member@acme.test', role: 'member' },
            { email: 'member@acme.test', role: 'admin' },
          ],
          [
            'member.update',
            'allowed',
            people.member!.id,
            { email: 'member@acme.test', role: 'admin' },
            { email: 'member@acme.test', role: 'member' },
          ],
        ]);
      });

      it('answers not_found for a non-member (another organization’s user, unknown id or e-mail), with a row', async () => {
        for (const member of [{ userId: people.stranger!.id }, { userId: newId() }, { email: 'nobody@acme.test' }]) {
          const outcome = await store.updateMemberRole({
            organizationId: orgId,
            member,
            role: 'admin',
            now: T1,
            actor: as(people.owner!),
            audit: origin(),
          });
          expect(outcome).toEqual({ status: 'not_found' });
        }
        expect((await memberAudit()).map((r) => r.reason)).toEqual(['MEMBER_NOT_FOUND', 'MEMBER_NOT_FOUND', 'MEMBER_NOT_FOUND']);
      });

      it('judges with the roles the transaction reads: a demoted actor is refused before any lookup', async () => {
        await store.setMembership({ organizationId: orgId, userId: people.admin!.id, role: 'member' });
        const outcome = await store.updateMemberRole({
          organizationId: orgId,
          member: { userId: newId() },
          role: 'admin',
          now: T1,
          actor: as(people.admin!),
          audit: origin(),
        });
        expect(outcome).toEqual({ status: 'denied', code: 'NOT_ORG_ADMIN' });
        expect((await memberAudit())[0]).toMatchObject({ reason: 'NOT_ORG_ADMIN', targetUserId: null });
      });

      it('keeps the last owner (LAST_OWNER for members and the operator); the operator may force it, and the row says so', async () => {
        const step = await store.updateMemberRole({
          organizationId: orgId,
          member: { userId: people.owner!.id },
          role: 'admin',
          now: T1,
          actor: as(people.owner!),
          audit: origin(),
        });
        expect(step).toEqual({ status: 'denied', code: 'LAST_OWNER' });
        const op = await store.updateMemberRole({
          organizationId: orgId,
          member: { userId: people.owner!.id },
          role: 'member',
          now: T1,
          actor: operator,
          audit: origin(),
        });
        expect(op).toEqual({ status: 'denied', code: 'LAST_OWNER' });
        expect((await store.getMembership(orgId, people.owner!.id))?.role).toBe('owner');
        const forced = await store.updateMemberRole({
          organizationId: orgId,
          member: { userId: people.owner!.id },
          role: 'member',
          now: T1,
          actor: { kind: 'operator', force: true },
          audit: origin(),
        });
        expect(forced).toMatchObject({ status: 'updated', forced: true, previousRole: 'owner' });
        expect((await memberAudit()).map((r) => [r.result, r.reason])).toEqual([
          ['denied', 'LAST_OWNER'],
          ['denied', 'LAST_OWNER'],
          ['allowed', 'LAST_OWNER'],
        ]);
      });

      it('lets an owner step down while another owner remains', async () => {
        await person('second@acme.test', 'owner');
        const outcome = await store.updateMemberRole({
          organizationId: orgId,
          member: { email: 'owner@acme.test' },
          role: 'member',
          now: T1,
          actor: as(people.owner!),
          audit: origin(),
        });
        expect(outcome).toMatchObject({ status: 'updated', previousRole: 'owner', member: { role: 'member' } });
      });

      it('a change to the same role changes nothing and is recorded as allowed, before = after', async () => {
        const outcome = await store.updateMemberRole({
          organizationId: orgId,
          member: { userId: people.admin!.id },
          role: 'admin',
          now: T1,
          actor: as(people.admin!),
          audit: origin(),
        });
        expect(outcome).toMatchObject({ status: 'updated', previousRole: 'admin', member: { role: 'admin' } });
        const [row] = await memberAudit();
        expect(row?.before).toEqual(row?.after);
      });

      it('50 concurrent demotions of two owners by each other leave one owner', async () => {
        const second = await person('second@acme.test', 'owner');
        const owners = [people.owner!, second];
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.updateMemberRole({
              organizationId: orgId,
              member: { userId: owners[i % 2]!.id },
              role: i % 3 === 0 ? 'member' : 'admin',
              now: T1,
              actor: as(owners[(i + 1) % 2]!),
              audit: origin(),
            }),
          ),
        );
        const owning = (await store.listMembers(orgId, T1)).filter((m) => m.role === 'owner');
        expect(owning).toHaveLength(1);
        // Exactly one request took an owner's role; after it, the demoted one is an admin (who may not
        // touch an owner) or a member (who may not manage), and the other owner may still re-demote them.
        const rows = await memberAudit();
        const tookOwner = rows.filter((r) => r.result === 'allowed' && (r.before as { role?: string })?.role === 'owner');
        expect(tookOwner).toHaveLength(1);
        expect(rows.filter((r) => r.result === 'allowed')).toHaveLength(outcomes.filter((o) => o.status === 'updated').length);
        const reasons = new Set(outcomes.flatMap((o) => (o.status === 'denied' ? [o.code] : [])));
        expect([...reasons].every((r) => ['NOT_ORG_ADMIN', 'ROLE_HIERARCHY', 'LAST_OWNER'].includes(r))).toBe(true);
      });
    });

    describe('removeMember', () => {
      it('removes the membership, revokes every live key they made here (a row each) and nothing else', async () => {
        const k1 = await addKey(store, orgId, people.member!.id, { name: 'one' });
        const k2 = await addKey(store, orgId, people.member!.id, { name: 'two' });
        const expired = await addKey(store, orgId, people.member!.id, { expiresAt: T0 });
        const others = await addKey(store, orgId, people.admin!.id);
        await store.setMembership({ organizationId: otherOrgId, userId: people.member!.id, role: 'member' });
        const elsewhere = await addKey(store, otherOrgId, people.member!.id);

        const outcome = await store.removeMember({
          organizationId: orgId,
          member: { email: 'member@acme.test' },
          now: T1,
          actor: as(people.admin!),
          audit: origin(),
        });
        expect(outcome).toMatchObject({
          status: 'removed',
          forced: false,
          revokedKeyIds: [k1.id, k2.id],
          member: { userId: people.member!.id, role: 'member', liveKeyCount: 2 },
        });
        expect(await store.getMembership(orgId, people.member!.id)).toBeUndefined();
        expect(await store.getUserByEmail('member@acme.test')).toBeDefined();
        for (const k of [k1, k2]) expect((await store.findAuthByHash(k.hash))?.key.revokedAt).toBe(T1);
        for (const k of [expired, others, elsewhere]) expect((await store.findAuthByHash(k.hash))?.key.revokedAt).toBeNull();

        const rows = await memberAudit();
        expect(rows.map((r) => [r.action, r.result, r.targetKeyId, r.targetUserId])).toEqual([
          ['key.revoke', 'allowed', k1.id, people.member!.id],
          ['key.revoke', 'allowed', k2.id, people.member!.id],
          ['member.remove', 'allowed', null, people.member!.id],
        ]);
        expect(rows[0]?.before).toEqual({ name: 'one', description: '', scopes: ['deploy:use-case', 'projects:read'] });
        expect(rows[2]).toMatchObject({ before: { email: 'member@acme.test', role: 'member' }, after: null });
        expect(new Set(rows.map((r) => r.requestId)).size).toBe(1);
        expect(await store.listAudit({ organizationId: orgId, targetUserId: people.member!.id })).toHaveLength(3);
      });

      it('refuses removing oneself, an owner by an admin, and the last owner; changes nothing', async () => {
        const k = await addKey(store, orgId, people.owner!.id);
        for (const [actor, target, code] of [
          [people.admin!, people.admin!, 'SELF_ROLE_CHANGE'],
          [people.owner!, people.owner!, 'SELF_ROLE_CHANGE'],
          [people.admin!, people.owner!, 'ROLE_HIERARCHY'],
          [people.member!, people.admin!, 'NOT_ORG_ADMIN'],
        ] as const) {
          const outcome = await store.removeMember({
            organizationId: orgId,
            member: { userId: target.id },
            now: T1,
            actor: as(actor),
            audit: origin(),
          });
          expect(outcome).toEqual({ status: 'denied', code });
        }
        const op = await store.removeMember({
          organizationId: orgId,
          member: { userId: people.owner!.id },
          now: T1,
          actor: operator,
          audit: origin(),
        });
        expect(op).toEqual({ status: 'denied', code: 'LAST_OWNER' });
        expect((await store.listMembers(orgId, T1)).length).toBe(3);
        expect((await store.findAuthByHash(k.hash))?.key.revokedAt).toBeNull();
      });

      it('the operator may force the removal of the last owner', async () => {
        const k = await addKey(store, orgId, people.owner!.id);
        const outcome = await store.removeMember({
          organizationId: orgId,
          member: { userId: people.owner!.id },
          now: T1,
          actor: { kind: 'operator', force: true },
          audit: origin(),
        });
        expect(outcome).toMatchObject({ status: 'removed', forced: true, revokedKeyIds: [k.id] });
        expect((await memberAudit()).at(-1)).toMatchObject({ action: 'member.remove', result: 'allowed', reason: 'LAST_OWNER' });
      });

      it('a removal and a key update racing: the update either lands first or finds the key revoked', async () => {
        const k = await addKey(store, orgId, people.member!.id);
        const [removed, updated] = await Promise.all([
          store.removeMember({
            organizationId: orgId,
            member: { userId: people.member!.id },
            now: T1,
            actor: as(people.owner!),
            audit: origin(),
          }),
          store.updateKey({
            organizationId: orgId,
            keyId: k.id,
            change: { name: 'renamed' },
            dryRun: false,
            now: T1,
            judge: () => null,
            audit: origin(),
          }),
        ]);
        expect(removed.status).toBe('removed');
        expect(['updated', 'not_found']).toContain(updated.status);
        expect((await store.findAuthByHash(k.hash))?.key.revokedAt).toBe(T1);
      });
    });

    describe('key judges learn the creator’s current role inside the transaction', () => {
      it('updateKey passes creatorRole; revokeKey asks its judge and records a refusal', async () => {
        const key = await addKey(store, orgId, people.admin!.id);
        const seen: (Role | null)[] = [];
        const audit = (action: 'key.update' | 'key.revoke') => ({
          ...origin(),
          action,
          organizationId: orgId,
          targetKeyId: key.id,
        });
        await store.updateKey({
          organizationId: orgId,
          keyId: key.id,
          change: { name: 'x' },
          dryRun: true,
          now: T1,
          judge: (_b, _a, { creatorRole }) => {
            seen.push(creatorRole);
            return null;
          },
          audit: audit('key.update'),
        });
        await store.setMembership({ organizationId: orgId, userId: people.admin!.id, role: 'owner' });
        const denied = await store.revokeKey({
          organizationId: orgId,
          keyId: key.id,
          now: T1,
          judge: (k, { creatorRole }) => {
            seen.push(creatorRole);
            expect(k.id).toBe(key.id);
            return { code: 'ROLE_HIERARCHY' };
          },
          audit: audit('key.revoke'),
        });
        expect(denied).toEqual({ status: 'denied', denial: { code: 'ROLE_HIERARCHY' } });
        expect((await store.findAuthByHash(key.hash))?.key.revokedAt).toBeNull();
        const [row] = await store.listAudit({ organizationId: orgId, targetKeyId: key.id, limit: 1 });
        expect(row).toMatchObject({ action: 'key.revoke', result: 'denied', reason: 'ROLE_HIERARCHY', after: null });
        expect(row?.before).toMatchObject({ name: 'k' });

        await store.removeMembership(orgId, people.admin!.id);
        const revoked = await store.revokeKey({
          organizationId: orgId,
          keyId: key.id,
          now: T1,
          judge: (_k, { creatorRole }) => {
            seen.push(creatorRole);
            return null;
          },
          audit: audit('key.revoke'),
        });
        expect(revoked.status).toBe('revoked');
        expect(seen).toEqual(['admin', 'owner', null]);
      });
    });
  });
}
