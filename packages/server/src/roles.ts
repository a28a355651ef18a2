/**
 * The role rules, in one place: who may act on whose keys, and who may change whose role.
 * Pure functions over roles and counts; the store calls them inside the write's transaction
 * (with the organization or key row locked), the routes for reads. No I/O here.
 *
 *   owner > admin > member
 */
import { ROLES, type Role } from '@codika/contract/operations';

/** Higher is more: owner 2, admin 1, member 0. */
export function roleRank(role: Role): number {
  return ROLES.length - 1 - ROLES.indexOf(role);
}

export function isAbove(a: Role, b: Role): boolean {
  return roleRank(a) > roleRank(b);
}

/** Roles that may manage keys and members (with api-keys:manage on the calling key). */
export function isManager(role: Role | null): boolean {
  return role === 'owner' || role === 'admin';
}

/**
 * The key hierarchy: a caller may get, update, rotate or revoke a key only when the key's
 * creating user's *current* role in the organization is not above the caller's own. A
 * creator who is no longer a member (`null`) ranks below everyone: such a key authenticates
 * nobody, and anyone who manages keys may clean it up.
 */
export function keyHierarchyDenial(callerRole: Role, creatorRole: Role | null): 'ROLE_HIERARCHY' | null {
  return creatorRole !== null && isAbove(creatorRole, callerRole) ? 'ROLE_HIERARCHY' : null;
}

/** Why a member change is refused (error codes of the contract). */
export type MemberDenialCode = 'NOT_ORG_ADMIN' | 'ROLE_HIERARCHY' | 'SELF_ROLE_CHANGE' | 'LAST_OWNER';

/**
 * Who asks for a member change: a member of the organization (through the API, judged by
 * every rule with their role as the transaction reads it), or the operator (`codika-server
 * users …`: trusted, bound only by the last-owner rule unless `force`).
 */
export type MemberActor = { kind: 'member'; userId: string } | { kind: 'operator'; force?: boolean };

export interface MemberChangeFacts {
  actor: MemberActor;
  /** The actor's role now (member actors only; null: no longer a member). */
  actorRole: Role | null;
  target: { userId: string; role: Role };
  /** The target's new role, or null for a removal. */
  newRole: Role | null;
  /** Owners of the organization now, the target included. */
  owners: number;
}

/**
 * Judge a role change or a removal, in this order:
 *   1. the actor manages members (admin or owner, read in the transaction) — NOT_ORG_ADMIN;
 *   2. only an owner changes an owner or grants the owner role — ROLE_HIERARCHY;
 *   3. nobody removes themselves, nor changes their own role, except an owner stepping down
 *      (to admin or member) — SELF_ROLE_CHANGE;
 *   4. the last owner is neither demoted nor removed — LAST_OWNER (the operator may pass it
 *      with force, to repair an organization).
 * A "change" to the role the target already has is no change: only rules 1 and 2 apply.
 */
export function judgeMemberChange(facts: MemberChangeFacts): MemberDenialCode | null {
  const { actor, actorRole, target, newRole } = facts;
  const changes = newRole !== target.role;
  if (actor.kind === 'member') {
    if (!isManager(actorRole)) return 'NOT_ORG_ADMIN';
    if (actorRole !== 'owner' && (target.role === 'owner' || newRole === 'owner')) return 'ROLE_HIERARCHY';
    if (actor.userId === target.userId && changes) {
      const steppingDown = target.role === 'owner' && newRole !== null;
      if (!steppingDown) return 'SELF_ROLE_CHANGE';
    }
  }
  if (leavesNoOwner(facts) && !(actor.kind === 'operator' && actor.force === true)) return 'LAST_OWNER';
  return null;
}

/** True when the change takes the owner role from the organization's last owner. */
export function leavesNoOwner(facts: Pick<MemberChangeFacts, 'target' | 'newRole' | 'owners'>): boolean {
  return facts.target.role === 'owner' && facts.newRole !== 'owner' && facts.owners <= 1;
}

/** Who may add a person with `role`: an admin adds admins and members, only an owner adds an owner. */
export function judgeMemberAdd(actor: MemberActor, actorRole: Role | null, role: Role): MemberDenialCode | null {
  if (actor.kind === 'operator') return null;
  if (!isManager(actorRole)) return 'NOT_ORG_ADMIN';
  if (role === 'owner' && actorRole !== 'owner') return 'ROLE_HIERARCHY';
  return null;
}
