import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { type Harness, harness } from './cli.test-helpers.js';
import { parseUsersSetRoleOptions, runUsersSetRole } from './users-set-role.js';

describe('codika-server users set-role', () => {
  let h: Harness;
  let orgId: string;
  let userId: string;
  beforeEach(async () => {
    h = await harness();
    const at = '2026-03-31T14:00:00.000Z';
    orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: at })).id;
    userId = (await h.store.ensureUser({ id: newId(), email: 'carol@example.com', createdAt: at })).id;
    await h.store.setMembership({ organizationId: orgId, userId, role: 'member' });
  });
  afterEach(() => h.close());

  const setRole = (raw: Record<string, unknown>) =>
    runUsersSetRole(parseUsersSetRoleOptions({ organizationId: orgId, ...raw }, {}), h.deps);

  it('changes the role and reports the previous one', async () => {
    expect(await setRole({ email: 'Carol@example.com', role: 'admin', json: true })).toBe(0);
    expect(JSON.parse(h.out())).toEqual({
      organizationId: orgId,
      userId,
      email: 'carol@example.com',
      role: 'admin',
      previousRole: 'member',
    });
    expect((await h.store.getMembership(orgId, userId))?.role).toBe('admin');
  });

  it('prints a readable line without --json', async () => {
    expect(await setRole({ email: 'carol@example.com', role: 'owner' })).toBe(0);
    expect(h.out()).toMatch(/carol@example.com is now owner of "Acme" \(was member\)/);
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
