import { describe, expect, it } from 'vitest';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp } from '../test-support/http.js';

const PATH = '/getorganizationsettingspublic';

describe('POST /getorganizationsettingspublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'none',
    scope: 'api-keys:manage',
    audited: false,
    mutates: false,
    body: () => ({}),
  });
});

describe('POST /getorganizationsettingspublic', () => {
  it('answers the caller’s organization’s settings; with no maximum, no key breaks it', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, {}, { key: t.keys.admin.raw });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ organizationId: t.orgA.id, maxKeyLifetimeDays: null, keysExceedingPolicy: [] });
    await t.call('/updateorganizationsettingspublic', { maxKeyLifetimeDays: 7 }, { key: t.keys.owner.raw });
    const after = await t.call(PATH, {}, { key: t.keys.admin.raw });
    expect(after.body.data.maxKeyLifetimeDays).toBe(7);
    // Every seeded live key has no expiry: each breaks the new maximum.
    expect(after.body.data.keysExceedingPolicy.map((k: { keyId: string }) => k.keyId)).toContain(t.keys.target.id);
    expect((await t.call(PATH, { extra: 1 }, { key: t.keys.admin.raw })).body.error.code).toBe('VALIDATION_ERROR');
    await t.close();
  });
});
