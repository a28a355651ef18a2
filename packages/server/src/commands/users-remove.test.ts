import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey } from '../secrets.js';
import { seedKey } from '../test-support/http.js';
import { type Harness, harness } from './cli.test-helpers.js';
import { parseUsersRemoveOptions, runUsersRemove } from './users-remove.js';

describe('codika-server users remove', () => {
  let h: Harness;
  let orgId: string;
  let userId: string;
  let ownerId: string;
  const at = '2026-03-31T14:00:00.000Z';
  beforeEach(async () => {
    h = await harness();
    orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: at })).id;
    userId = (await h.store.ensureUser({ id: newId(), email: 'erin@example.com', createdAt: at })).id;
    await h.store.setMembership({ organizationId: orgId, userId, role: 'admin' });
    ownerId = (await h.store.ensureUser({ id: newId(), email: 'olga@example.com', createdAt: at })).id;
    await h.store.setMembership({ organizationId: orgId, userId: ownerId, role: 'owner' });
  });
  afterEach(() => h.close());

  const remove = (raw: Record<string, unknown>) =>
    runUsersRemove(parseUsersRemoveOptions({ organizationId: orgId, ...raw }, {}), h.deps);
  const revokedAt = async (raw: string) => (await h.store.findAuthByHash(hashKey(raw)))?.key.revokedAt;

  it('removes the membership (the user stays), revokes their live keys there, and prints it as JSON', async () => {
    const k1 = await seedKey(h.store, orgId, userId, { name: 'one' });
    const k2 = await seedKey(h.store, orgId, userId, { name: 'two' });
    const ownerKey = await seedKey(h.store, orgId, ownerId);
    expect(await remove({ email: 'erin@example.com', json: true })).toBe(0);
    expect(JSON.parse(h.out())).toEqual({
      organizationId: orgId,
      userId,
      email: 'erin@example.com',
      previousRole: 'admin',
      revokedKeyIds: [k1.id, k2.id],
      forced: false,
    });
    expect(await h.store.getMembership(orgId, userId)).toBeUndefined();
    expect(await h.store.getUserByEmail('erin@example.com')).toBeDefined();
    expect(await revokedAt(k1.raw)).toBe(at);
    expect(await revokedAt(k2.raw)).toBe(at);
    expect(await revokedAt(ownerKey.raw)).toBeNull();
    // The same rows as the API's removal: a key.revoke each and the member.remove, by the operator.
    const rows = (await h.store.listAudit({ organizationId: orgId, targetUserId: userId })).reverse();
    expect(rows.map((r) => [r.action, r.targetKeyId, r.actorKeyId, r.userAgent])).toEqual([
      ['key.revoke', k1.id, null, 'codika-server (operator CLI)'],
      ['key.revoke', k2.id, null, 'codika-server (operator CLI)'],
      ['member.remove', null, null, 'codika-server (operator CLI)'],
    ]);
  });

  it('tells how many keys it revoked; a second removal is refused (exit 2)', async () => {
    await seedKey(h.store, orgId, userId);
    expect(await remove({ email: 'erin@example.com' })).toBe(0);
    expect(h.out()).toMatch(
      /erin@example.com removed from "Acme" \(was admin\); 1 live key they created in "Acme" revoked \(they answer 401 from now on\)/,
    );
    expect(await remove({ email: 'erin@example.com' })).toBe(2);
    expect(h.err()).toMatch(/not a member/);
  });

  it('says so when there was no key to revoke', async () => {
    expect(await remove({ email: 'erin@example.com' })).toBe(0);
    expect(h.out()).toMatch(/\(was admin\); they had no live keys there/);
  });

  it('refuses to remove the only owner (exit 2), keeping their keys; --force removes them and says the organization has no owner', async () => {
    const ownerKey = await seedKey(h.store, orgId, ownerId);
    expect(await remove({ email: 'olga@example.com' })).toBe(2);
    expect(h.err()).toMatch(/olga@example.com is the only owner of "Acme" .*refusing to remove them.*pass --force/);
    expect(h.out()).toBe('');
    expect((await h.store.getMembership(orgId, ownerId))?.role).toBe('owner');
    expect(await revokedAt(ownerKey.raw)).toBeNull();

    expect(await remove({ email: 'olga@example.com', force: true })).toBe(0);
    expect(h.out()).toMatch(/olga@example.com removed from "Acme" \(was owner\); 1 live key they created in "Acme" revoked/);
    expect(h.err()).toMatch(/--force: "Acme" has no owner now/);
    expect(await h.store.getMembership(orgId, ownerId)).toBeUndefined();
    expect(await revokedAt(ownerKey.raw)).toBe(at);
    const [row] = await h.store.listAudit({ organizationId: orgId, targetUserId: ownerId, limit: 1 });
    expect(row).toMatchObject({ action: 'member.remove', result: 'allowed', reason: 'LAST_OWNER' });
  });
});
