import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { type Harness, harness } from './cli.test-helpers.js';
import { parseUsersSetRoleOptions, runUsersSetRole } from './users-set-role.js';

describe('codika-server users set-role', () => {
  let h: Harness;
  let orgId: string;
  let userId: string;
  let ownerId: string;
  const at = '2026-03-31T14:00:00.000Z';
  beforeEach(async () => {
    h = await harness();
    orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: at })).id;
    userId = (await h.store.ensureUser({ id: newId(), email: 'carol@example.com', createdAt: at })).id;
    await h.store.setMembership({ organizationId: orgId, userId, role: 'member' });
    ownerId = (await h.store.ensureUser({ id: newId(), email: 'olga@example.com', createdAt: at })).id;
    await h.store.setMembership({ organizationId: orgId, userId: ownerId, role: 'owner' });
  });
  afterEach(() => h.close());

  const setRole = (raw: Record<string, unknown>) =>
    runUsersSetRole(parseUsersSetRoleOptions({ organizationId: orgId, ...raw }, {}), h.deps);

  it('changes the role and reports the previous one; the audit row is the API’s, by the operator', async () => {
    expect(await setRole({ email: 'Carol@example.com', role: 'admin', json: true })).toBe(0);
    expect(JSON.parse(h.out())).toEqual({
      organizationId: orgId,
      userId,
      email: 'carol@example.com',
      role: 'admin',
      previousRole: 'member',
      forced: false,
    });
    expect((await h.store.getMembership(orgId, userId))?.role).toBe('admin');
    const [row] = await h.store.listAudit({ organizationId: orgId, targetUserId: userId });
    expect(row).toMatchObject({
      action: 'member.update',
      result: 'allowed',
      reason: null,
      actorKeyId: null,
      userAgent: 'codika-server (operator CLI)',
      before: { email: 'carol@example.com', role: 'member' },
      after: { email: 'carol@example.com', role: 'admin' },
    });
  });

  it('prints a readable line without --json', async () => {
    expect(await setRole({ email: 'carol@example.com', role: 'owner' })).toBe(0);
    expect(h.out()).toMatch(/carol@example.com is now owner of "Acme" \(was member\)/);
    expect(h.err()).toBe('');
  });

  it('refuses to demote the only owner (exit 2), saying how to go on; nothing changes but a denied audit row', async () => {
    for (const role of ['admin', 'member']) {
      expect(await setRole({ email: 'olga@example.com', role })).toBe(2);
    }
    expect(h.err()).toMatch(
      /olga@example.com is the only owner of "Acme" \([^)]+\); refusing to demote them, which would leave the organization without an owner\. Make another member owner first \(codika-server users set-role --organization-id \S+ --email <someone> --role owner\), or, to repair a broken organization, pass --force/,
    );
    expect(h.out()).toBe('');
    expect((await h.store.getMembership(orgId, ownerId))?.role).toBe('owner');
    expect((await h.store.listAudit({ organizationId: orgId, targetUserId: ownerId })).map((r) => r.reason)).toEqual([
      'LAST_OWNER',
      'LAST_OWNER',
    ]);
    // With a second owner, the demotion needs no force.
    expect(await setRole({ email: 'carol@example.com', role: 'owner' })).toBe(0);
    expect(await setRole({ email: 'olga@example.com', role: 'member' })).toBe(0);
  });

  it('--force demotes the last owner, says the organization has no owner now, and the audit row records the override', async () => {
    expect(await setRole({ email: 'olga@example.com', role: 'admin', force: true, json: true })).toBe(0);
    expect(JSON.parse(h.out())).toMatchObject({ role: 'admin', previousRole: 'owner', forced: true });
    expect(h.err()).toMatch(/--force: "Acme" has no owner now\. Make someone owner with: codika-server users set-role/);
    expect((await h.store.getMembership(orgId, ownerId))?.role).toBe('admin');
    const [row] = await h.store.listAudit({ organizationId: orgId, targetUserId: ownerId });
    expect(row).toMatchObject({ action: 'member.update', result: 'allowed', reason: 'LAST_OWNER' });
  });

  it('--force where no rule is in the way changes nothing about the change and warns of nothing', async () => {
    expect(await setRole({ email: 'carol@example.com', role: 'admin', force: true })).toBe(0);
    expect(h.err()).toBe('');
  });

  it('refuses a user who is not a member (exit 2) without creating anything', async () => {
    expect(await setRole({ email: 'dave@example.com', role: 'admin' })).toBe(2);
    expect(h.err()).toMatch(/dave@example.com is not a member of "Acme"/);
    expect(await h.store.getUserByEmail('dave@example.com')).toBeUndefined();
  });

  it('refuses an unknown organization (exit 2)', async () => {
    expect(
      await runUsersSetRole(
        parseUsersSetRoleOptions({ organizationId: 'x', email: 'carol@example.com', role: 'admin' }, {}),
        h.deps,
      ),
    ).toBe(2);
  });
});
