import { UNSUPPORTED_ORGANIZATION_FIELDS } from '@codika/contract/schemas';
import { describe, expect, it } from 'vitest';
import { OPEN_SIGNUP } from '../accounts/policy.js';
import { COMPLETE_LOGIN, CREATE_ORGANIZATION, requestCode } from '../test-support/accounts.js';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp } from '../test-support/http.js';

describe('POST /createorganizationviaapikey', () => {
  runAuthzMatrix({
    path: CREATE_ORGANIZATION,
    target: 'none',
    scope: null,
    audited: true,
    mutates: true,
    app: { signup: OPEN_SIGNUP },
    body: () => ({ name: 'New Org' }),
  });

  it("creates an organization owned by the key's user, with its description and size, and an audit row", async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    const res = await t.call(
      CREATE_ORGANIZATION,
      { name: ' Beta Corp ', description: 'Second team', size: '11-50' },
      { key: t.keys.member.raw },
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, data: { organizationId: expect.any(String) }, requestId: res.body.requestId });
    const orgId = res.body.data.organizationId;
    expect(await t.store.listUserOrganizations(t.users.member.id)).toEqual([
      { id: t.orgA.id, name: 'Acme Corp', role: 'member' },
      { id: orgId, name: 'Beta Corp', role: 'owner' },
    ]);
    const rows = (await t.audit()).filter((r) => r.requestId === res.body.requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'organization.create',
      result: 'allowed',
      organizationId: orgId,
      actorKeyId: t.keys.member.id,
      actorUserId: t.users.member.id,
      targetUserId: t.users.member.id,
    });
    // The caller's key stays in its organization; the person signs in to the new one by code.
    const code = await requestCode(t, 'login', 'member@acme.test');
    const login = await t.call(COMPLETE_LOGIN, { email: 'member@acme.test', code });
    expect(login.body.error.code).toBe('MULTIPLE_ORGANIZATIONS');
    const chosen = await t.call(COMPLETE_LOGIN, { email: 'member@acme.test', code, organizationId: orgId });
    expect(chosen.body.data.apiKey.scopes).toContain('api-keys:manage');
    await t.close();
  });

  it('refuses each logo and n8n field by name (400 UNSUPPORTED_FIELD), creating nothing', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    const values: Record<string, unknown> = {
      logoUrl: 'https://example.com/logo.png',
      logoBase64: 'iVBORw0KGgo=',
      logoMimeType: 'image/png',
      n8nBaseUrl: 'https://n8n.example.com',
      n8nApiKey: 'n8n-key',
      storeCredentialCopy: true,
    };
    for (const field of UNSUPPORTED_ORGANIZATION_FIELDS) {
      const res = await t.call(CREATE_ORGANIZATION, { name: 'Logo Org', [field]: values[field] }, { key: t.keys.owner.raw });
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual({
        code: 'UNSUPPORTED_FIELD',
        message: `This server does not support ${field}`,
        nextAction: `Re-run without ${field}`,
        details: { field },
      });
    }
    expect(await t.store.listUserOrganizations(t.users.owner.id)).toHaveLength(1);
    await t.close();
  });

  it('refuses control characters (header injection), over-long fields and unknown sizes with 400', async () => {
    const t = await createTestApp({ signup: OPEN_SIGNUP });
    for (const body of [
      { name: 'Acme\r\nBcc: evil@attacker.test' },
      { name: 'Acme\u0000' },
      { name: 'x'.repeat(101) },
      { name: '' },
      { name: 'Acme', description: 'x'.repeat(501) },
      { name: 'Acme', description: 'bell\u0007' },
      { name: 'Acme', size: 'huge' },
      { name: 'Acme', ownerId: 'someone' },
      {},
    ]) {
      const res = await t.call(CREATE_ORGANIZATION, body, { key: t.keys.owner.raw });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    expect(await t.store.listUserOrganizations(t.users.owner.id)).toHaveLength(1);
    await t.close();
  });

  it('follows the sign-up policy: closed (the default) and other domains answer 403 SIGNUP_DISABLED, audited', async () => {
    const closed = await createTestApp();
    const res = await closed.call(CREATE_ORGANIZATION, { name: 'New Org' }, { key: closed.keys.owner.raw });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'SIGNUP_DISABLED',
      nextAction: expect.stringContaining('codika-server bootstrap'),
    });
    const rows = (await closed.audit()).filter((r) => r.requestId === res.body.requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'organization.create',
      result: 'denied',
      reason: 'SIGNUP_DISABLED',
      organizationId: closed.orgA.id,
    });
    await closed.close();

    const domains = await createTestApp({ signup: { mode: 'open', domains: ['acme.test'] } });
    expect((await domains.call(CREATE_ORGANIZATION, { name: 'A' }, { key: domains.keys.owner.raw })).status).toBe(200);
    expect((await domains.call(CREATE_ORGANIZATION, { name: 'B' }, { key: domains.keys.other.raw })).body.error.code).toBe(
      'SIGNUP_DISABLED',
    );
    await domains.close();
  });
});
