import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { type Harness, harness } from './cli.test-helpers.js';
import { parseUsersRemoveOptions, runUsersRemove } from './users-remove.js';

describe('codika-server users remove', () => {
  let h: Harness;
  let orgId: string;
  let userId: string;
  beforeEach(async () => {
    h = await harness();
    const at = '2026-03-31T14:00:00.000Z';
    orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: at })).id;
    userId = (await h.store.ensureUser({ id: newId(), email: 'erin@example.com', createdAt: at })).id;
    await h.store.setMembership({ organizationId: orgId, userId, role: 'admin' });
  });
  afterEach(() => h.close());

  const remove = (raw: Record<string, unknown>) =>
    runUsersRemove(parseUsersRemoveOptions({ organizationId: orgId, ...raw }, {}), h.deps);

  it('removes the membership (the user stays) and prints it as JSON', async () => {
    expect(await remove({ email: 'erin@example.com', json: true })).toBe(0);
    expect(JSON.parse(h.out())).toEqual({ organizationId: orgId, userId, email: 'erin@example.com', previousRole: 'admin' });
    expect(await h.store.getMembership(orgId, userId)).toBeUndefined();
    expect(await h.store.getUserByEmail('erin@example.com')).toBeDefined();
  });

  it('prints a readable line without --json; a second removal is refused (exit 2)', async () => {
    expect(await remove({ email: 'erin@example.com' })).toBe(0);
    expect(h.out()).toMatch(/erin@example.com removed from "Acme" \(was admin\)/);
    expect(await remove({ email: 'erin@example.com' })).toBe(2);
    expect(h.err()).toMatch(/not a member/);
  });
});
