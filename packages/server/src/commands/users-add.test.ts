import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { type Harness, harness } from './cli.test-helpers.js';
import { parseUsersAddOptions, runUsersAdd } from './users-add.js';

describe('codika-server users add', () => {
  let h: Harness;
  let orgId: string;
  beforeEach(async () => {
    h = await harness();
    orgId = (await h.store.createOrganization({ id: newId(), name: 'Acme', createdAt: '2026-03-31T14:00:00.000Z' })).id;
  });
  afterEach(() => h.close());

  const add = (raw: Record<string, unknown>) => runUsersAdd(parseUsersAddOptions({ organizationId: orgId, ...raw }, {}), h.deps);

  it('creates the user (email lower-cased) and the membership; --json prints it', async () => {
    expect(await add({ email: 'Alice@Example.com', role: 'admin', json: true })).toBe(0);
    const printed = JSON.parse(h.out());
    expect(printed).toEqual({ organizationId: orgId, userId: expect.any(String), email: 'alice@example.com', role: 'admin' });
    expect(await h.store.getMembership(orgId, printed.userId)).toEqual({
      organizationId: orgId,
      userId: printed.userId,
      role: 'admin',
    });
  });

  it('prints a readable line without --json', async () => {
    expect(await add({ email: 'bob@example.com', role: 'member' })).toBe(0);
    expect(h.out()).toMatch(/bob@example.com added to "Acme" as member/);
  });

  it('refuses an existing member (exit 2) and leaves the role alone', async () => {
    expect(await add({ email: 'bob@example.com', role: 'member' })).toBe(0);
    expect(await add({ email: 'BOB@example.com', role: 'owner' })).toBe(2);
    expect(h.err()).toMatch(/already member.*set-role/);
    const user = await h.store.getUserByEmail('bob@example.com');
    expect((await h.store.getMembership(orgId, user?.id ?? ''))?.role).toBe('member');
  });

  it('refuses an unknown organization (exit 2)', async () => {
    expect(await runUsersAdd(parseUsersAddOptions({ organizationId: 'nope', email: 'a@b', role: 'member' }, {}), h.deps)).toBe(2);
    expect(h.err()).toMatch(/no organization with id "nope"/);
  });

  it('refuses a role outside owner|admin|member', () => {
    expect(() => parseUsersAddOptions({ organizationId: orgId, email: 'a@b', role: 'superuser' }, {})).toThrow(
      /--role must be one of owner, admin, member/,
    );
  });
});
