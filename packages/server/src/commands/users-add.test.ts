import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { hashKey } from '../secrets.js';
import { seedKey } from '../test-support/http.js';
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
    expect(printed).toEqual({
      organizationId: orgId,
      userId: expect.any(String),
      email: 'alice@example.com',
      role: 'admin',
      revokedKeyIds: [],
    });
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

  it('writes the same member.add audit row as the API, by the operator', async () => {
    expect(await add({ email: 'carol@example.com', role: 'owner', json: true })).toBe(0);
    const { userId } = JSON.parse(h.out());
    const [row] = await h.store.listAudit({ organizationId: orgId, targetUserId: userId });
    expect(row).toMatchObject({
      action: 'member.add',
      result: 'allowed',
      actorKeyId: null,
      actorUserId: null,
      userAgent: 'codika-server (operator CLI)',
      before: null,
      after: { email: 'carol@example.com', role: 'owner' },
      at: '2026-03-31T14:00:00.000Z',
    });
  });

  it('adding back someone whose keys were left live revokes them, and says so', async () => {
    expect(await add({ email: 'dan@example.com', role: 'admin' })).toBe(0);
    const user = await h.store.getUserByEmail('dan@example.com');
    const key = await seedKey(h.store, orgId, user?.id as string);
    // Removed the old way, which left the key live.
    await h.store.removeMembership(orgId, user?.id as string);
    expect(await add({ email: 'dan@example.com', role: 'member', json: true })).toBe(0);
    expect(JSON.parse(h.out().slice(h.out().lastIndexOf('{\n'))).revokedKeyIds).toEqual([key.id]);
    expect(h.err()).toMatch(/1 live key\(s\) left from an earlier membership of dan@example.com were revoked/);
    expect((await h.store.findAuthByHash(hashKey(key.raw)))?.key.revokedAt).not.toBeNull();
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
