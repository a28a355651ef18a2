import { describe, expect, it } from 'vitest';
import { hashSessionId, newSessionId, SESSION_TTL_MS } from '../http/session.js';
import { newId } from '../ids.js';
import { runAuthzMatrix, runRoleGrid } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey, type TestApp, withoutRequestId } from '../test-support/http.js';
import { withSession } from '../test-support/sessions.js';

const PATH = '/rotateorganizationapikeypublic';
const VERIFY = '/verifyapikey';
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

describe('POST /rotateorganizationapikeypublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'key',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    body: ({ keyId }) => ({ keyId, gracePeriodSeconds: 3600 }),
  });
});

describe('POST /rotateorganizationapikeypublic — role grid (callers × the creator of the key)', () => {
  runRoleGrid({
    path: PATH,
    kind: 'key',
    audited: true,
    body: ({ keyId }) => ({ keyId, gracePeriodSeconds: 0 }),
    applied: async (t, target) => (await t.call(VERIFY, undefined, { key: target.key.raw })).status === 401,
  });
});

async function rotate(t: TestApp, body: Record<string, unknown>, key = t.keys.owner.raw) {
  return t.call(PATH, body, { key });
}

describe('POST /rotateorganizationapikeypublic', () => {
  it('answers the create answer’s shape with the new raw key; the key keeps its id, name, description, scopes; both secrets work during the grace period', async () => {
    const t = await createTestApp();
    const res = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 3600 });
    expect(res.status).toBe(200);
    const graceEnd = new Date(t.clock.now().getTime() + HOUR_MS).toISOString();
    expect(res.body.data).toEqual({
      keyId: t.keys.target.id,
      apiKey: res.body.data.apiKey,
      keyPrefix: res.body.data.apiKey.slice(0, 8),
      name: 'CI Deploy Key',
      description: 'Used by CI',
      scopes: ['deploy:use-case', 'projects:read'],
      createdAt: '2026-03-31T14:00:00.000Z',
      rotatedAt: t.clock.now().toISOString(),
      previousSecretExpiresAt: graceEnd,
    });
    const fresh = res.body.data.apiKey as string;
    expect(fresh).not.toBe(t.keys.target.raw);

    const viaNew = await t.call(VERIFY, undefined, { key: fresh });
    expect(viaNew.status).toBe(200);
    expect(viaNew.body.data).not.toHaveProperty('rotation');
    const viaOld = await t.call(VERIFY, undefined, { key: t.keys.target.raw });
    expect(viaOld.status).toBe(200);
    expect(viaOld.body.data).toMatchObject({ keyId: t.keys.target.id, rotation: { previousSecretExpiresAt: graceEnd } });

    // The list shows the grace period while it runs, with the new prefix.
    const listed = (await t.call('/listorganizationapikeyspublic', {}, { key: t.keys.owner.raw })).body.data.keys.find(
      (k: { keyId: string }) => k.keyId === t.keys.target.id,
    );
    expect(listed).toMatchObject({ keyPrefix: fresh.slice(0, 8), previousSecretExpiresAt: graceEnd, enabled: true });
    await t.close();
  });

  it('the old secret is refused from the very instant its grace period ends, also when its record was cached', async () => {
    const t = await createTestApp();
    const res = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 60 });
    const end = Date.parse(res.body.data.previousSecretExpiresAt);
    // Twice during the grace period: the second answer may come from the auth cache (nothing was written between).
    t.clock.set(new Date(end - 1).toISOString());
    expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw })).status).toBe(200);
    expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw })).status).toBe(200);
    t.clock.set(new Date(end).toISOString());
    const after = await t.call(VERIFY, undefined, { key: t.keys.target.raw });
    expect(after.status).toBe(401);
    const unknown = await t.call(VERIFY, undefined, { key: t.keys.revoked.raw });
    expect(withoutRequestId(after.text)).toBe(withoutRequestId(unknown.text));
    expect((await t.call(VERIFY, undefined, { key: res.body.data.apiKey })).status).toBe(200);
    await t.close();
  });

  it('a grace period of 0 ends the old secret at once', async () => {
    const t = await createTestApp();
    const res = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 0 });
    expect(res.body.data).not.toHaveProperty('previousSecretExpiresAt');
    expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw })).status).toBe(401);
    await t.close();
  });

  it('rotating again during a grace period ends the older secret at once: never more than two secrets', async () => {
    const t = await createTestApp();
    const first = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 3600 });
    const second = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 3600 });
    expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw })).status).toBe(401);
    expect((await t.call(VERIFY, undefined, { key: first.body.data.apiKey })).body.data.rotation).toBeDefined();
    expect((await t.call(VERIFY, undefined, { key: second.body.data.apiKey })).status).toBe(200);
    await t.close();
  });

  it('a grace period never outlives the key’s expiry, and a rotation never makes an expiring key permanent', async () => {
    const t = await createTestApp();
    const expiresAt = new Date(t.clock.now().getTime() + 2 * HOUR_MS).toISOString();
    const key = await seedKey(t.store, t.orgA.id, t.users.owner.id, { name: 'Expiring', expiresAt });
    const res = await rotate(t, { keyId: key.id, gracePeriodSeconds: 7 * 24 * 3600 });
    expect(res.status).toBe(200);
    expect(res.body.data.expiresAt).toBe(expiresAt);
    expect(res.body.data.previousSecretExpiresAt).toBe(expiresAt);
    t.clock.set(expiresAt);
    expect((await t.call(VERIFY, undefined, { key: key.raw })).status).toBe(401);
    expect((await t.call(VERIFY, undefined, { key: res.body.data.apiKey })).status).toBe(401);
    await t.close();
  });

  it('expiresInDays sets a new expiry, and the grace period ends no later than it', async () => {
    const t = await createTestApp();
    const res = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 3 * 24 * 3600, expiresInDays: 1 });
    const tomorrow = new Date(t.clock.now().getTime() + DAY_MS).toISOString();
    expect(res.body.data).toMatchObject({ expiresAt: tomorrow, previousSecretExpiresAt: tomorrow });
    await t.close();
  });

  it('an expired, revoked, other organization’s or unknown key: the same 404, byte for byte', async () => {
    const t = await createTestApp();
    const answers = [];
    for (const keyId of [t.keys.expired.id, t.keys.revoked.id, t.keys.otherTarget.id, newId()]) {
      const res = await rotate(t, { keyId, gracePeriodSeconds: 60 });
      expect(res.status).toBe(404);
      answers.push(withoutRequestId(res.text));
    }
    expect(new Set(answers).size).toBe(1);
    await t.close();
  });

  it('refuses a grace period over 7 days and a missing one (400)', async () => {
    const t = await createTestApp();
    expect((await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 7 * 24 * 3600 + 1 })).body.error.code).toBe(
      'VALIDATION_ERROR',
    );
    expect((await rotate(t, { keyId: t.keys.target.id })).body.error.code).toBe('VALIDATION_ERROR');
    await t.close();
  });

  it('obeys the maximum key lifetime: a longer expiresInDays is refused; none given cuts a longer expiry to the maximum', async () => {
    const t = await createTestApp();
    await t.call('/updateorganizationsettingspublic', { maxKeyLifetimeDays: 30 }, { key: t.keys.owner.raw });
    const refused = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 0, expiresInDays: 31 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'KEY_LIFETIME_EXCEEDED', details: { maxKeyLifetimeDays: 30 } });
    expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw })).status).toBe(200);
    const rows = (await t.audit()).filter((r) => r.action === 'key.rotate');
    expect(rows.at(-1)).toMatchObject({ result: 'denied', reason: 'KEY_LIFETIME_EXCEEDED' });

    const res = await rotate(t, { keyId: t.keys.target.id, gracePeriodSeconds: 0 });
    expect(res.body.data.expiresAt).toBe(new Date(t.clock.now().getTime() + 30 * DAY_MS).toISOString());
    await t.close();
  });

  it('ends the dashboard sessions opened with the key, and writes a key.rotate row with before and after', async () => {
    const t = await createTestApp();
    const id = newSessionId();
    await t.store.createSession({
      idHash: hashSessionId(id),
      keyId: t.keys.owner.id,
      createdAt: t.clock.now().toISOString(),
      expiresAt: new Date(t.clock.now().getTime() + SESSION_TTL_MS).toISOString(),
    });
    expect((await t.call('/listorganizationapikeyspublic', {}, withSession(id))).status).toBe(200);
    const res = await rotate(t, { keyId: t.keys.owner.id, gracePeriodSeconds: 3600 });
    expect(res.status).toBe(200);
    expect((await t.call('/listorganizationapikeyspublic', {}, withSession(id))).status).toBe(401);
    const row = (await t.audit()).filter((r) => r.action === 'key.rotate').at(-1);
    expect(row).toMatchObject({
      result: 'allowed',
      targetKeyId: t.keys.owner.id,
      actorKeyId: t.keys.owner.id,
      requestId: res.body.requestId,
      before: { name: 'Owner key' },
      after: { name: 'Owner key' },
    });
    await t.close();
  });
});
