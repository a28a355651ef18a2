import { ROLES, type Role } from '@codika/contract/operations';
import { describe, expect, it } from 'vitest';
import { isAbove, judgeMemberAdd, judgeMemberChange, keyHierarchyDenial, type MemberActor, roleRank } from './roles.js';

const me = 'user-me';
const other = 'user-other';
const member = (userId = me): MemberActor => ({ kind: 'member', userId });

describe('role ranks', () => {
  it('orders owner > admin > member', () => {
    expect(ROLES.map(roleRank)).toEqual([2, 1, 0]);
    expect(isAbove('owner', 'admin')).toBe(true);
    expect(isAbove('admin', 'admin')).toBe(false);
    expect(isAbove('member', 'admin')).toBe(false);
  });
});

describe('keyHierarchyDenial', () => {
  it('refuses exactly the keys whose creator ranks above the caller', () => {
    const refused: string[] = [];
    for (const caller of ROLES) {
      for (const creator of [...ROLES, null] as (Role | null)[]) {
        if (keyHierarchyDenial(caller, creator) !== null) refused.push(`${caller}→${creator}`);
      }
    }
    expect(refused).toEqual(['admin→owner', 'member→owner', 'member→admin']);
    expect(keyHierarchyDenial('admin', 'owner')).toBe('ROLE_HIERARCHY');
  });
});

describe('judgeMemberChange', () => {
  const judge = (actorRole: Role | null, targetRole: Role, newRole: Role | null, owners = 2, actor = member(), target = other) =>
    judgeMemberChange({ actor, actorRole, target: { userId: target, role: targetRole }, newRole, owners });

  it('refuses callers that are not admin or owner (now)', () => {
    expect(judge('member', 'member', 'admin')).toBe('NOT_ORG_ADMIN');
    expect(judge(null, 'member', null)).toBe('NOT_ORG_ADMIN');
  });

  it('lets only an owner change an owner or grant the owner role', () => {
    expect(judge('admin', 'owner', 'admin')).toBe('ROLE_HIERARCHY');
    expect(judge('admin', 'owner', null)).toBe('ROLE_HIERARCHY');
    expect(judge('admin', 'owner', 'owner')).toBe('ROLE_HIERARCHY');
    expect(judge('admin', 'member', 'owner')).toBe('ROLE_HIERARCHY');
    expect(judge('admin', 'member', 'admin')).toBeNull();
    expect(judge('admin', 'admin', 'member')).toBeNull();
    expect(judge('admin', 'admin', null)).toBeNull();
    expect(judge('owner', 'owner', 'member')).toBeNull();
    expect(judge('owner', 'member', 'owner')).toBeNull();
  });

  it('refuses changing one’s own role and removing oneself, except an owner stepping down', () => {
    expect(judge('admin', 'admin', 'member', 2, member(me), me)).toBe('SELF_ROLE_CHANGE');
    expect(judge('admin', 'admin', null, 2, member(me), me)).toBe('SELF_ROLE_CHANGE');
    expect(judge('owner', 'owner', null, 2, member(me), me)).toBe('SELF_ROLE_CHANGE');
    expect(judge('owner', 'owner', 'admin', 2, member(me), me)).toBeNull();
    expect(judge('owner', 'owner', 'member', 2, member(me), me)).toBeNull();
    // No change is no change.
    expect(judge('admin', 'admin', 'admin', 2, member(me), me)).toBeNull();
  });

  it('keeps the last owner, whoever asks; the operator may force it', () => {
    expect(judge('owner', 'owner', 'member', 1, member(me), me)).toBe('LAST_OWNER');
    expect(judge('owner', 'owner', 'admin', 1)).toBe('LAST_OWNER');
    expect(judge('owner', 'owner', null, 1)).toBe('LAST_OWNER');
    expect(judge(null, 'owner', null, 1, { kind: 'operator' })).toBe('LAST_OWNER');
    expect(judge(null, 'owner', 'member', 1, { kind: 'operator' })).toBe('LAST_OWNER');
    expect(judge(null, 'owner', null, 1, { kind: 'operator', force: true })).toBeNull();
    expect(judge(null, 'owner', 'owner', 1, { kind: 'operator' })).toBeNull();
    expect(judge(null, 'admin', null, 0, { kind: 'operator' })).toBeNull();
  });
});

describe('judgeMemberAdd', () => {
  it('admins add admins and members; only owners add owners; the operator adds anyone', () => {
    expect(judgeMemberAdd(member(), 'admin', 'admin')).toBeNull();
    expect(judgeMemberAdd(member(), 'admin', 'owner')).toBe('ROLE_HIERARCHY');
    expect(judgeMemberAdd(member(), 'owner', 'owner')).toBeNull();
    expect(judgeMemberAdd(member(), 'member', 'member')).toBe('NOT_ORG_ADMIN');
    expect(judgeMemberAdd({ kind: 'operator' }, null, 'owner')).toBeNull();
  });
});
