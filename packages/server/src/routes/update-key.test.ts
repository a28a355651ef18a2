import { canonicalScopes, SCOPES } from '@codika/contract/scopes';
import { describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { runAuthzMatrix, runRoleGrid } from '../test-support/authz-matrix.js';
import { createTestApp, seedKey, seedUser, snapshotKeys, type TestApp, withoutRequestId } from '../test-support/http.js';

const PATH = '/updateorganizationapikeypublic';

describe('POST /updateorganizationapikeypublic — authorization matrix', () => {
  runAuthzMatrix({
    path: PATH,
    target: 'key',
    scope: 'api-keys:manage',
    audited: true,
    mutates: true,
    body: ({ keyId }) => ({ keyId, name: 'Renamed' }),
  });
});

async function lastAudit(t: TestApp) {
  return (await t.audit()).at(-1);
}

describe('POST /updateorganizationapikeypublic — role grid (callers × the creator of the key)', () => {
  runRoleGrid({
    path: PATH,
    kind: 'key',
    audited: true,
    body: ({ keyId }) => ({ keyId, name: 'Renamed by the grid' }),
    applied: async (t, target) => (await t.record(target.key)).name === 'Renamed by the grid',
  });
});

describe('POST /updateorganizationapikeypublic', () => {
  it("answers exactly the seed's JSON output shape, with previous", async () => {
    const t = await createTestApp();
    t.clock.set('2026-03-31T15:00:00.000Z');
    const res = await t.call(
      PATH,
      { keyId: t.keys.target.id, scopes: ['deploy:use-case', 'instances:read', 'projects:read'] },
      { key: t.keys.owner.raw },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        keyId: t.keys.target.id,
        name: 'CI Deploy Key',
        description: 'Used by CI',
        // Exactly the seed's output: canonical (alphabetical) order.
        scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
        updatedAt: '2026-03-31T15:00:00.000Z',
        previous: { name: 'CI Deploy Key', description: 'Used by CI', scopes: ['deploy:use-case', 'projects:read'] },
      },
      requestId: res.body.requestId,
    });
    expect(Object.keys(res.body)).toEqual(['success', 'data', 'requestId']);
    await t.close();
  });

  it('changes only the fields given; description "" clears it; duplicates collapse', async () => {
    const t = await createTestApp();
    const key = t.keys.owner.raw;
    let res = await t.call(PATH, { keyId: t.keys.target.id, name: '  Production Deploy Key ' }, { key });
    expect(res.body.data).toMatchObject({ name: 'Production Deploy Key', description: 'Used by CI' });
    res = await t.call(PATH, { keyId: t.keys.target.id, description: '' }, { key });
    expect(res.body.data).toMatchObject({
      name: 'Production Deploy Key',
      description: '',
      scopes: ['deploy:use-case', 'projects:read'],
    });
    res = await t.call(PATH, { keyId: t.keys.target.id, scopes: ['skills:read', 'skills:read'] }, { key });
    expect(res.body.data.scopes).toEqual(['skills:read']);
    const stored = await t.record(t.keys.target);
    expect(stored).toMatchObject({ name: 'Production Deploy Key', description: '', scopes: ['skills:read'] });
    await t.close();
  });

  it('takes effect at once: the updated key is authorized by its new scopes on the next request', async () => {
    const t = await createTestApp();
    const victim = await seedKey(t.store, t.orgA.id, t.users.admin.id, { name: 'victim' });
    expect((await t.call('/listorganizationapikeyspublic', {}, { key: victim.raw })).status).toBe(200);
    await t.call(PATH, { keyId: victim.id, removeScopes: ['api-keys:manage'] }, { key: t.keys.owner.raw });
    const res = await t.call('/listorganizationapikeyspublic', {}, { key: victim.raw });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'INSUFFICIENT_SCOPE',
      message: 'The API key lacks the scope this operation requires',
      details: { required: 'api-keys:manage' },
    });
    await t.close();
  });

  it("authorizes by the caller's current role: a demoted admin's key stops managing keys at once", async () => {
    const t = await createTestApp();
    // A key the admin may manage (made by a member).
    const body = { keyId: t.keys.member.id, name: 'x' };
    expect((await t.call(PATH, body, { key: t.keys.admin.raw })).status).toBe(200);
    await t.store.setMembership({ organizationId: t.orgA.id, userId: t.users.admin.id, role: 'member' });
    const res = await t.call(PATH, body, { key: t.keys.admin.raw });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('NOT_ORG_ADMIN');
    // …and a promoted member's key starts at once.
    await t.store.setMembership({ organizationId: t.orgA.id, userId: t.users.member.id, role: 'owner' });
    expect((await t.call(PATH, body, { key: t.keys.member.raw })).status).toBe(200);
    await t.close();
  });

  it('refuses to grant a scope the calling key does not hold (no escalation)', async () => {
    const t = await createTestApp();
    const limited = await seedKey(t.store, t.orgA.id, t.users.owner.id, { scopes: ['api-keys:manage', 'projects:read'] });
    const before = await snapshotKeys(t);
    let res = await t.call(
      PATH,
      { keyId: t.keys.target.id, scopes: ['projects:read', 'instances:manage', 'skills:read'] },
      { key: limited.raw },
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'SCOPE_ESCALATION',
      message: 'Cannot grant scopes that the calling API key does not hold',
      details: { notHeld: ['instances:manage', 'skills:read'] },
    });
    res = await t.call(PATH, { keyId: t.keys.target.id, addScopes: ['skills:read'] }, { key: limited.raw });
    expect(res.body.error.code).toBe('SCOPE_ESCALATION');
    // Its own key cannot grow either.
    res = await t.call(PATH, { keyId: limited.id, addScopes: ['deploy:use-case'] }, { key: limited.raw });
    expect(res.body.error.code).toBe('SCOPE_ESCALATION');
    expect(await snapshotKeys(t)).toEqual(before);
    // Keeping a scope it does not hold, or removing one, is not escalation.
    res = await t.call(PATH, { keyId: t.keys.target.id, removeScopes: ['projects:read'] }, { key: limited.raw });
    expect(res.status).toBe(200);
    expect(res.body.data.scopes).toEqual(['deploy:use-case']);
    res = await t.call(PATH, { keyId: t.keys.target.id, name: 'renamed' }, { key: limited.raw });
    expect(res.status).toBe(200);
    expect(await lastAudit(t)).toMatchObject({ result: 'allowed' });
    await t.close();
  });

  it('guards against self-lockout unless forced', async () => {
    const t = await createTestApp();
    const key = t.keys.owner.raw;
    const before = await snapshotKeys(t);
    let res = await t.call(PATH, { keyId: t.keys.owner.id, removeScopes: ['api-keys:manage'] }, { key });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('SELF_LOCKOUT');
    res = await t.call(PATH, { keyId: t.keys.owner.id, scopes: ['projects:read'] }, { key });
    expect(res.body.error.code).toBe('SELF_LOCKOUT');
    res = await t.call(PATH, { keyId: t.keys.owner.id, scopes: ['projects:read'], dryRun: true }, { key });
    expect(res.body.error.code).toBe('SELF_LOCKOUT');
    expect(await snapshotKeys(t)).toEqual(before);
    expect(await lastAudit(t)).toMatchObject({ result: 'denied', reason: 'SELF_LOCKOUT', targetKeyId: t.keys.owner.id });

    // Removing it from another key is fine; keeping it on its own key is fine.
    expect((await t.call(PATH, { keyId: t.keys.admin.id, removeScopes: ['api-keys:manage'] }, { key })).status).toBe(200);
    expect((await t.call(PATH, { keyId: t.keys.owner.id, removeScopes: ['skills:read'] }, { key })).status).toBe(200);

    res = await t.call(PATH, { keyId: t.keys.owner.id, removeScopes: ['api-keys:manage'], force: true }, { key });
    expect(res.status).toBe(200);
    expect(res.body.data.scopes).not.toContain('api-keys:manage');
    expect((await t.call(PATH, { keyId: t.keys.target.id, name: 'x' }, { key })).body.error.code).toBe('INSUFFICIENT_SCOPE');
    await t.close();
  });

  it('dryRun answers the would-be result and changes nothing', async () => {
    const t = await createTestApp();
    t.clock.set('2026-03-31T15:00:00.000Z');
    const before = await snapshotKeys(t);
    const res = await t.call(
      PATH,
      { keyId: t.keys.target.id, addScopes: ['skills:read'], removeScopes: ['deploy:use-case'], description: '', dryRun: true },
      { key: t.keys.owner.raw },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      keyId: t.keys.target.id,
      name: 'CI Deploy Key',
      description: '',
      scopes: ['projects:read', 'skills:read'],
      updatedAt: '2026-03-31T15:00:00.000Z',
      previous: { name: 'CI Deploy Key', description: 'Used by CI', scopes: ['deploy:use-case', 'projects:read'] },
      dryRun: true,
    });
    expect(await snapshotKeys(t)).toEqual(before);
    expect(await lastAudit(t)).toMatchObject({ action: 'key.update', result: 'dry_run', reason: null });
    await t.close();
  });

  it('applies addScopes/removeScopes atomically: 50 concurrent requests, no lost update', async () => {
    const t = await createTestApp();
    const key = await seedKey(t.store, t.orgA.id, t.users.owner.id, {
      scopes: ['projects:read', 'deploy:use-case', 'projects:create', 'workflows:trigger', 'executions:read'],
    });
    const toRemove = ['deploy:use-case', 'projects:create', 'workflows:trigger', 'executions:read'];
    const toAdd = ['instances:read', 'instances:manage', 'skills:read', 'integrations:manage'];
    const auditBefore = (await t.audit()).length;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.call(
          PATH,
          { keyId: key.id, addScopes: [toAdd[i % 4]], removeScopes: [toRemove[(i + 1) % 4]] },
          { key: t.keys.owner.raw },
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect((await t.record(key)).scopes).toEqual(
      canonicalScopes(['projects:read', 'instances:read', 'instances:manage', 'skills:read', 'integrations:manage']),
    );
    expect((await t.audit()).length - auditBefore).toBe(50);
    await t.close();
  });

  it('refuses an update with no field (NO_FIELDS)', async () => {
    const t = await createTestApp();
    for (const body of [{ keyId: t.keys.target.id }, { keyId: t.keys.target.id, dryRun: true, force: true }]) {
      const res = await t.call(PATH, body, { key: t.keys.owner.raw });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: 'NO_FIELDS',
        message: 'At least one of scopes, name, or description must be provided',
      });
    }
    await t.close();
  });

  it('refuses scopes together with addScopes or removeScopes, and one scope both added and removed', async () => {
    const t = await createTestApp();
    for (const extra of [{ addScopes: ['skills:read'] }, { removeScopes: ['projects:read'] }]) {
      const res = await t.call(PATH, { keyId: t.keys.target.id, scopes: ['projects:read'], ...extra }, { key: t.keys.owner.raw });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details).toHaveProperty('scopes');
    }
    const res = await t.call(
      PATH,
      { keyId: t.keys.target.id, addScopes: ['skills:read'], removeScopes: ['skills:read'] },
      { key: t.keys.owner.raw },
    );
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    await t.close();
  });

  it('names unknown scopes, suggests the nearest and lists the valid ones (INVALID_SCOPES)', async () => {
    const t = await createTestApp();
    const res = await t.call(
      PATH,
      { keyId: t.keys.target.id, scopes: ['projects:reed', 'deploy:use-case', 'nope'] },
      { key: t.keys.owner.raw },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_SCOPES');
    expect(res.body.error.message).toContain('did you mean projects:read?');
    expect(res.body.error.details).toEqual({ invalid: ['projects:reed', 'nope'], allowed: [...SCOPES] });
    for (const field of ['addScopes', 'removeScopes']) {
      const r = await t.call(PATH, { keyId: t.keys.target.id, [field]: ['skills:reed'] }, { key: t.keys.owner.raw });
      expect(r.body.error.code).toBe('INVALID_SCOPES');
      expect(r.body.error.details.invalid).toEqual(['skills:reed']);
    }
    await t.close();
  });

  it('refuses an empty scope set, an empty add/remove list, and removing every scope (INVALID_SCOPES)', async () => {
    const t = await createTestApp();
    const before = await snapshotKeys(t);
    for (const change of [
      { scopes: [] },
      { addScopes: [] },
      { removeScopes: [] },
      { removeScopes: ['deploy:use-case', 'projects:read'] },
    ]) {
      const res = await t.call(PATH, { keyId: t.keys.target.id, ...change }, { key: t.keys.owner.raw });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_SCOPES');
    }
    expect(await snapshotKeys(t)).toEqual(before);
    await t.close();
  });

  it('answers the same 404 for another organization’s key, a revoked key and an id that never existed', async () => {
    const t = await createTestApp();
    const expired = await seedKey(t.store, t.orgA.id, t.users.owner.id, {
      createdAt: '2026-03-01T00:00:00.000Z',
      expiresAt: '2026-03-02T00:00:00.000Z',
    });
    const texts = new Set<string>();
    for (const keyId of [t.keys.otherTarget.id, t.keys.revoked.id, newId(), 'not-even-a-uuid', expired.id]) {
      const res = await t.call(PATH, { keyId, scopes: ['projects:read'] }, { key: t.keys.owner.raw });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'KEY_NOT_FOUND', message: 'API key not found' });
      texts.add(withoutRequestId(res.text));
    }
    expect(texts.size).toBe(1);
    await t.close();
  });

  it('refuses unknown fields and wrong types, with details per field', async () => {
    const t = await createTestApp();
    let res = await t.call(PATH, { keyId: t.keys.target.id, name: 'x', isAdmin: true }, { key: t.keys.owner.raw });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.details).toEqual({ isAdmin: 'unknown field' });
    res = await t.call(PATH, { keyId: 42, name: '', scopes: 'projects:read' }, { key: t.keys.owner.raw });
    expect(Object.keys(res.body.error.details).sort()).toEqual(['keyId', 'name', 'scopes']);
    res = await t.call(PATH, { keyId: t.keys.target.id, name: 'x'.repeat(101) }, { key: t.keys.owner.raw });
    expect(res.body.error.details).toHaveProperty('name');
    res = await t.call(PATH, { keyId: t.keys.target.id, description: 'x'.repeat(501) }, { key: t.keys.owner.raw });
    expect(res.body.error.details).toHaveProperty('description');
    res = await t.call(PATH, [1, 2], { key: t.keys.owner.raw });
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    await t.close();
  });

  it('refuses a body over 16 KiB with 413, after authentication and authorization', async () => {
    const t = await createTestApp();
    const big = JSON.stringify({ keyId: t.keys.target.id, description: 'x'.repeat(17 * 1024) });
    let res = await t.call(PATH, undefined, { key: t.keys.owner.raw, payload: big });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    res = await t.call(PATH, undefined, { key: null, payload: big });
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
    res = await t.call(PATH, undefined, { key: t.keys.lacking.raw, payload: big });
    expect(res.body.error.code).toBe('INSUFFICIENT_SCOPE');
    res = await t.call(PATH, undefined, { key: t.keys.member.raw, payload: big });
    expect(res.body.error.code).toBe('NOT_ORG_ADMIN');
    // Just under the limit is parsed (and then judged on its content).
    const fits = JSON.stringify({ keyId: t.keys.target.id, name: 'x', padding: 'y'.repeat(16 * 1024 - 200) });
    expect(Buffer.byteLength(fits)).toBeLessThan(16 * 1024);
    res = await t.call(PATH, undefined, { key: t.keys.owner.raw, payload: fits });
    expect(res.body.error.details).toEqual({ padding: 'unknown field' });
    await t.close();
  });

  it('follows the order of checks: 401, then 403, then 400, then 404, then 403/409', async () => {
    const t = await createTestApp();
    const malformed = { payload: '{"keyId": ', headers: {} };
    expect((await t.call(PATH, undefined, { ...malformed, key: 'bad' })).body.error.code).toBe('UNAUTHENTICATED');
    expect((await t.call(PATH, undefined, { ...malformed, key: t.keys.lacking.raw })).body.error.code).toBe('INSUFFICIENT_SCOPE');
    expect((await t.call(PATH, undefined, { ...malformed, key: t.keys.member.raw })).body.error.code).toBe('NOT_ORG_ADMIN');
    expect((await t.call(PATH, undefined, { ...malformed, key: t.keys.owner.raw })).body.error.code).toBe('VALIDATION_ERROR');
    const textPlain = { payload: 'keyId=1', headers: { 'content-type': 'text/plain' } };
    expect((await t.call(PATH, undefined, { ...textPlain, key: null })).body.error.code).toBe('UNAUTHENTICATED');
    const res415 = await t.call(PATH, undefined, { ...textPlain, key: t.keys.owner.raw });
    expect(res415.status).toBe(415);
    expect(res415.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    // Invalid scopes are judged before the target is looked up…
    const missing = newId();
    expect((await t.call(PATH, { keyId: missing, scopes: ['bogus'] }, { key: t.keys.owner.raw })).body.error.code).toBe(
      'INVALID_SCOPES',
    );
    // …and the lookup before escalation.
    const limited = await seedKey(t.store, t.orgA.id, t.users.owner.id, { scopes: ['api-keys:manage'] });
    expect((await t.call(PATH, { keyId: missing, scopes: ['skills:read'] }, { key: limited.raw })).body.error.code).toBe(
      'KEY_NOT_FOUND',
    );
    await t.close();
  });

  it('writes exactly one audit row per attempt, allowed or denied, with actor, target, before/after and origin', async () => {
    const t = await createTestApp();
    const ua = { 'user-agent': 'codika-cli/3.6' };
    const count = async () => (await t.audit()).length;
    const start = await count();

    const ok = await t.call(
      PATH,
      { keyId: t.keys.target.id, addScopes: ['skills:read'] },
      { key: t.keys.owner.raw, headers: ua },
    );
    expect(await count()).toBe(start + 1);
    expect(await lastAudit(t)).toMatchObject({
      action: 'key.update',
      result: 'allowed',
      reason: null,
      requestId: ok.body.requestId,
      actorKeyId: t.keys.owner.id,
      actorUserId: t.users.owner.id,
      organizationId: t.orgA.id,
      targetKeyId: t.keys.target.id,
      before: { name: 'CI Deploy Key', description: 'Used by CI', scopes: ['deploy:use-case', 'projects:read'] },
      after: { name: 'CI Deploy Key', description: 'Used by CI', scopes: ['deploy:use-case', 'projects:read', 'skills:read'] },
      sourceIp: '127.0.0.1',
      userAgent: 'codika-cli/3.6',
    });

    const denials: [unknown, string, string][] = [
      [{ keyId: t.keys.target.id, name: 'x' }, t.keys.lacking.raw, 'INSUFFICIENT_SCOPE'],
      [{ keyId: t.keys.target.id, name: 'x' }, t.keys.member.raw, 'NOT_ORG_ADMIN'],
      [{ keyId: t.keys.target.id, name: 'x', extra: 1 }, t.keys.owner.raw, 'VALIDATION_ERROR'],
      [{ keyId: t.keys.target.id }, t.keys.owner.raw, 'NO_FIELDS'],
      [{ keyId: t.keys.target.id, scopes: ['bogus'] }, t.keys.owner.raw, 'INVALID_SCOPES'],
      [{ keyId: t.keys.otherTarget.id, name: 'x' }, t.keys.owner.raw, 'KEY_NOT_FOUND'],
      [{ keyId: t.keys.target.id, name: 'x' }, t.keys.admin.raw, 'ROLE_HIERARCHY'],
      [{ keyId: t.keys.owner.id, scopes: ['projects:read'] }, t.keys.owner.raw, 'SELF_LOCKOUT'],
    ];
    for (const [body, key, code] of denials) {
      const before = await count();
      const res = await t.call(PATH, body, { key, headers: ua });
      expect(res.body.error.code).toBe(code);
      expect(await count()).toBe(before + 1);
      expect(await lastAudit(t)).toMatchObject({
        action: 'key.update',
        result: 'denied',
        reason: code,
        requestId: res.body.requestId,
        organizationId: t.orgA.id,
        userAgent: 'codika-cli/3.6',
      });
    }
    // Unauthenticated attempts have no actor to record.
    const before = await count();
    await t.call(PATH, { keyId: t.keys.target.id, name: 'x' }, { key: t.keys.revoked.raw });
    expect(await count()).toBe(before);
    await t.close();
  });

  it('lets an admin manage keys made by admins and members, not by an owner (403 once found); other organizations 404', async () => {
    const t = await createTestApp();
    const newAdmin = await seedUser(t.store, t.orgA.id, 'new-admin@acme.test', 'admin');
    const key = await seedKey(t.store, t.orgA.id, newAdmin.id);
    expect((await t.call(PATH, { keyId: t.keys.admin.id, name: 'Admin key (renamed)' }, { key: key.raw })).status).toBe(200);
    expect((await t.call(PATH, { keyId: t.keys.member.id, name: 'Member key (renamed)' }, { key: key.raw })).status).toBe(200);
    const before = await snapshotKeys(t);
    // The owner's key, whatever the change (a dry run, an escalation) — and the hierarchy comes first.
    for (const body of [
      { keyId: t.keys.owner.id, name: 'Owner key (renamed)' },
      { keyId: t.keys.owner.id, name: 'x', dryRun: true },
      { keyId: t.keys.target.id, addScopes: ['projects:read'] },
    ]) {
      const res = await t.call(PATH, body, { key: key.raw });
      expect(res.status).toBe(403);
      expect(res.body.error).toEqual({
        code: 'ROLE_HIERARCHY',
        message: "Only an owner may change an owner, an owner's keys, or grant the owner role",
      });
    }
    expect(await snapshotKeys(t)).toEqual(before);
    // The role is the creator's now: the owner demoted to admin, their keys are an admin's.
    await seedUser(t.store, t.orgA.id, 'second-owner@acme.test', 'owner');
    await t.store.setMembership({ organizationId: t.orgA.id, userId: t.users.owner.id, role: 'admin' });
    expect((await t.call(PATH, { keyId: t.keys.target.id, name: 'now mine' }, { key: key.raw })).status).toBe(200);
    expect((await t.call(PATH, { keyId: t.keys.target.id, name: 'x' }, { key: t.keys.other.raw })).status).toBe(404);
    await t.close();
  });
});
