import { describe, expect, it } from 'vitest';
import { COMPLETE_LOGIN, requestCode } from '../test-support/accounts.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey } from '../test-support/http.js';
import { openUserSession, withSession } from '../test-support/sessions.js';

const PATH = '/updateorganizationsettingspublic';
const DAY_MS = 24 * 60 * 60 * 1000;

describe('POST /updateorganizationsettingspublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'none',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    ownerOnly: true,
    body: () => ({ maxKeyLifetimeDays: 90 }),
  });
});

describe('POST /updateorganizationsettingspublic', () => {
  it('an owner sets and clears the maximum; the answer says what it was; each change is an audit row', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, { maxKeyLifetimeDays: 90 }, { key: t.keys.owner.raw });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      organizationId: t.orgA.id,
      maxKeyLifetimeDays: 90,
      previous: { maxKeyLifetimeDays: null },
    });
    const cleared = await t.call(PATH, { maxKeyLifetimeDays: null }, { key: t.keys.owner.raw });
    expect(cleared.body.data).toMatchObject({
      maxKeyLifetimeDays: null,
      previous: { maxKeyLifetimeDays: 90 },
      keysExceedingPolicy: [],
    });
    const rows = (await t.audit()).filter((r) => r.action === 'organization.settings_update');
    expect(rows.map((r) => [r.before, r.after])).toEqual([
      [{ maxKeyLifetimeDays: null }, { maxKeyLifetimeDays: 90 }],
      [{ maxKeyLifetimeDays: 90 }, { maxKeyLifetimeDays: null }],
    ]);
    expect(rows[0]).toMatchObject({ result: 'allowed', organizationId: t.orgA.id, actorKeyId: t.keys.owner.id });
    // The other organization is untouched.
    const other = await t.call('/getorganizationsettingspublic', {}, { key: t.keys.other.raw });
    expect(other.body.data.maxKeyLifetimeDays).toBeNull();
    await t.close();
  });

  it('an admin (key or signed in by code) is refused with NOT_ORG_OWNER and a denied row', async () => {
    const t = await createTestApp();
    const byKey = await t.call(PATH, { maxKeyLifetimeDays: 30 }, { key: t.keys.admin.raw });
    expect(byKey.status).toBe(403);
    expect(byKey.body.error.code).toBe('NOT_ORG_OWNER');
    const byCode = await t.call(
      PATH,
      { maxKeyLifetimeDays: 30 },
      withSession(await openUserSession(t, t.users.admin.id, t.orgA.id)),
    );
    expect(byCode.body.error.code).toBe('NOT_ORG_OWNER');
    expect((await t.store.getOrganizationSettings(t.orgA.id))?.maxKeyLifetimeDays).toBeNull();
    expect((await t.audit()).at(-1)).toMatchObject({
      action: 'organization.settings_update',
      result: 'denied',
      reason: 'NOT_ORG_OWNER',
    });
    await t.close();
  });

  it('refuses values outside 1–365 and a missing field (400)', async () => {
    const t = await createTestApp();
    for (const body of [{ maxKeyLifetimeDays: 0 }, { maxKeyLifetimeDays: 366 }, { maxKeyLifetimeDays: 1.5 }, {}]) {
      expect((await t.call(PATH, body, { key: t.keys.owner.raw })).body.error.code).toBe('VALIDATION_ERROR');
    }
    await t.close();
  });

  it('keys that break a tightened maximum are reported, not cut: they keep working', async () => {
    const t = await createTestApp();
    const short = await seedKey(t.store, t.orgA.id, t.users.owner.id, {
      name: 'Short',
      expiresAt: new Date(t.clock.now().getTime() + 5 * DAY_MS).toISOString(),
    });
    const long = await seedKey(t.store, t.orgA.id, t.users.owner.id, {
      name: 'Long',
      expiresAt: new Date(t.clock.now().getTime() + 60 * DAY_MS).toISOString(),
    });
    const res = await t.call(PATH, { maxKeyLifetimeDays: 30 }, { key: t.keys.owner.raw });
    const reported = res.body.data.keysExceedingPolicy.map((k: { keyId: string }) => k.keyId);
    expect(reported).toContain(long.id);
    expect(reported).toContain(t.keys.target.id);
    expect(reported).not.toContain(short.id);
    expect(res.body.data.keysExceedingPolicy.find((k: { keyId: string }) => k.keyId === long.id)).toMatchObject({
      name: 'Long',
      keyPrefix: long.raw.slice(0, 8),
      expiresAt: new Date(t.clock.now().getTime() + 60 * DAY_MS).toISOString(),
    });
    expect((await t.call('/verifyapikey', undefined, { key: long.raw })).status).toBe(200);
    expect((await t.call('/verifyapikey', undefined, { key: t.keys.target.raw })).status).toBe(200);
    await t.close();
  });

  it('create obeys it: a longer expiresInDays is KEY_LIFETIME_EXCEEDED; none given gets the maximum', async () => {
    const t = await createTestApp();
    await t.call(PATH, { maxKeyLifetimeDays: 30 }, { key: t.keys.owner.raw });
    const create = (body: Record<string, unknown>) =>
      t.call(
        '/createorganizationapikeypublic',
        { organizationId: t.orgA.id, name: 'New', scopes: ['projects:read'], ...body },
        { key: t.keys.owner.raw },
      );
    const refused = await create({ expiresInDays: 31 });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('KEY_LIFETIME_EXCEEDED');
    expect((await t.audit()).at(-1)).toMatchObject({ action: 'key.create', result: 'denied', reason: 'KEY_LIFETIME_EXCEEDED' });
    expect((await create({ expiresInDays: 30 })).status).toBe(200);
    const defaulted = await create({});
    expect(defaulted.body.data.expiresAt).toBe(new Date(t.clock.now().getTime() + 30 * DAY_MS).toISOString());
    await t.close();
  });

  it('a key minted by sign-in by e-mailed code lives at most the maximum (a shorter expiry is kept)', async () => {
    const t = await createTestApp();
    await t.call(PATH, { maxKeyLifetimeDays: 30 }, { key: t.keys.owner.raw });
    const signIn = async (apiKey?: Record<string, unknown>) =>
      t.call(COMPLETE_LOGIN, {
        email: 'admin@acme.test',
        code: await requestCode(t, 'login', 'admin@acme.test'),
        ...(apiKey === undefined ? {} : { apiKey }),
      });
    const latest = new Date(t.clock.now().getTime() + 30 * DAY_MS).toISOString();
    expect((await signIn()).body.data.apiKey.expiresAt).toBe(latest);
    expect((await signIn({ expiresInDays: 90 })).body.data.apiKey.expiresAt).toBe(latest);
    expect((await signIn({ expiresInDays: 7 })).body.data.apiKey.expiresAt).toBe(
      new Date(t.clock.now().getTime() + 7 * DAY_MS).toISOString(),
    );
    await t.close();
  });
});
