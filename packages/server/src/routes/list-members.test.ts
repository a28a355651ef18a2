import { describe, expect, it } from 'vitest';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey } from '../test-support/http.js';

const PATH = '/listorganizationmemberspublic';

describe('POST /listorganizationmemberspublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'none',
    scope: 'api-keys:manage',
    audited: false,
    mutates: false,
    body: () => ({}),
  });
});

describe('POST /listorganizationmemberspublic', () => {
  it("lists the caller's organization only: owners, admins, members, with join time and live key counts", async () => {
    const t = await createTestApp();
    await seedKey(t.store, t.orgA.id, t.users.member.id, { name: 'second member key' });
    const res = await t.call(PATH, {}, { key: t.keys.admin.raw });
    expect(res.status).toBe(200);
    // owner: owner, revoked, expired (not live), target → 2 live; admin: admin, lacking → 2; member: 2.
    expect(res.body.data.members).toEqual([
      {
        userId: t.users.owner.id,
        email: 'owner@acme.test',
        role: 'owner',
        joinedAt: '2026-03-31T14:00:00.000Z',
        liveKeyCount: 2,
      },
      {
        userId: t.users.admin.id,
        email: 'admin@acme.test',
        role: 'admin',
        joinedAt: '2026-03-31T14:00:00.000Z',
        liveKeyCount: 2,
      },
      {
        userId: t.users.member.id,
        email: 'member@acme.test',
        role: 'member',
        joinedAt: '2026-03-31T14:00:00.000Z',
        liveKeyCount: 2,
      },
    ]);
    const other = await t.call(PATH, {}, { key: t.keys.other.raw });
    expect(other.body.data.members.map((m: { email: string }) => m.email)).toEqual(['owner@other.test', 'member@other.test']);
    await t.close();
  });

  it('refuses any field (there is no organizationId to pass: it is always the key’s own)', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, { organizationId: t.orgB.id }, { key: t.keys.owner.raw });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: { organizationId: 'unknown field' } });
    await t.close();
  });
});
