/**
 * /updateorganizationapikeypublic's lifecycle fields (issue 12): expiresAt, enabled,
 * allowedIps — their checks, the maximum key lifetime, the self-lockout guard's new cases,
 * and what a disabled key or a request from outside an allowlist meets at authentication.
 */

import { ALLOWED_IPS_MAX } from '@codika/contract/rules';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, unknownKey, withoutRequestId } from '../test-support/http.js';

const PATH = '/updateorganizationapikeypublic';
const VERIFY = '/verifyapikey';
const LIST = '/listorganizationapikeyspublic';
const DAY_MS = 24 * 60 * 60 * 1000;

function update(t: TestApp, body: Record<string, unknown>, key = t.keys.owner.raw, remoteAddress?: string) {
  return t.call(PATH, body, { key, ...(remoteAddress === undefined ? {} : { remoteAddress }) });
}

function inDays(t: TestApp, days: number): string {
  return new Date(t.clock.now().getTime() + days * DAY_MS).toISOString();
}

describe('update: expiry', () => {
  it('sets an expiry (any ISO offset, stored in UTC), shows it in the answer and previous, clears it with null', async () => {
    const t = await createTestApp();
    const res = await update(t, { keyId: t.keys.target.id, expiresAt: '2026-04-10T12:00:00+02:00' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ expiresAt: '2026-04-10T10:00:00.000Z' });
    expect(res.body.data.previous).not.toHaveProperty('expiresAt');
    const cleared = await update(t, { keyId: t.keys.target.id, expiresAt: null });
    expect(cleared.body.data).not.toHaveProperty('expiresAt');
    expect(cleared.body.data.previous).toMatchObject({ expiresAt: '2026-04-10T10:00:00.000Z' });
    const row = (await t.audit()).at(-1);
    expect(row?.before).toMatchObject({ expiresAt: '2026-04-10T10:00:00.000Z' });
    expect(row?.after).not.toHaveProperty('expiresAt');
    await t.close();
  });

  it('refuses an expiry in the past, now, or more than 365 days away (400), and a malformed one', async () => {
    const t = await createTestApp();
    for (const expiresAt of [t.clock.now().toISOString(), inDays(t, -1), inDays(t, 366), 'tomorrow']) {
      const res = await update(t, { keyId: t.keys.target.id, expiresAt });
      expect(res.status, expiresAt).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
    }
    await t.close();
  });

  it('the key stops authenticating at its new expiry', async () => {
    const t = await createTestApp();
    const at = inDays(t, 1);
    await update(t, { keyId: t.keys.target.id, expiresAt: at });
    t.clock.set(at);
    expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw })).status).toBe(401);
    await t.close();
  });

  it('obeys the maximum key lifetime: a later expiry or none is KEY_LIFETIME_EXCEEDED; other changes of a key that breaks it still apply', async () => {
    const t = await createTestApp();
    expect(
      (await t.call('/updateorganizationsettingspublic', { maxKeyLifetimeDays: 30 }, { key: t.keys.owner.raw })).status,
    ).toBe(200);
    for (const expiresAt of [inDays(t, 31), null]) {
      const res = await update(t, { keyId: t.keys.target.id, expiresAt });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'KEY_LIFETIME_EXCEEDED', details: { maxKeyLifetimeDays: 30 } });
      expect((await t.audit()).at(-1)).toMatchObject({ result: 'denied', reason: 'KEY_LIFETIME_EXCEEDED' });
    }
    expect((await update(t, { keyId: t.keys.target.id, expiresAt: inDays(t, 30) })).status).toBe(200);
    // The target now obeys; the owner key (no expiry) breaks the maximum but may still be renamed.
    expect((await update(t, { keyId: t.keys.owner.id, name: 'Still mine' })).status).toBe(200);
    await t.close();
  });
});

describe('update: disable and enable', () => {
  it('a disabled key answers 401 exactly like an unknown key, everywhere, until enabled; it is listed with its state', async () => {
    const t = await createTestApp();
    const res = await update(t, { keyId: t.keys.target.id, enabled: false });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ enabled: false });
    const disabled = await t.call(VERIFY, undefined, { key: t.keys.target.raw });
    const unknown = await t.call(VERIFY, undefined, { key: unknownKey() });
    expect(disabled.status).toBe(401);
    expect(withoutRequestId(disabled.text)).toBe(withoutRequestId(unknown.text));
    expect((await t.call(LIST, {}, { key: t.keys.target.raw })).status).toBe(401);
    const listed = (await t.call(LIST, {}, { key: t.keys.owner.raw })).body.data.keys.find(
      (k: { keyId: string }) => k.keyId === t.keys.target.id,
    );
    expect(listed).toMatchObject({ enabled: false });
    const enabled = await update(t, { keyId: t.keys.target.id, enabled: true });
    expect(enabled.body.data).not.toHaveProperty('enabled');
    expect(enabled.body.data.previous).toMatchObject({ enabled: false });
    expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw })).status).toBe(200);
    await t.close();
  });

  it('disabling the very key making the call is SELF_LOCKOUT (a dry run too) unless forced', async () => {
    const t = await createTestApp();
    for (const dryRun of [false, true]) {
      const res = await update(t, { keyId: t.keys.owner.id, enabled: false, dryRun });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'SELF_LOCKOUT', details: { reason: 'DISABLES_CALLER' } });
    }
    expect((await t.call(VERIFY, undefined, { key: t.keys.owner.raw })).status).toBe(200);
    expect((await update(t, { keyId: t.keys.owner.id, enabled: false, force: true })).status).toBe(200);
    expect((await t.call(VERIFY, undefined, { key: t.keys.owner.raw })).status).toBe(401);
    await t.close();
  });
});

describe('update: IP allowlist', () => {
  it('stores canonical ranges (a bare address as /32 or /128), listed and in the answer; null removes it', async () => {
    const t = await createTestApp();
    const res = await update(t, {
      keyId: t.keys.target.id,
      allowedIps: ['10.0.0.0/8', '2001:DB8:0:0::/32', '192.0.2.7', '10.0.0.0/8'],
    });
    expect(res.status).toBe(200);
    expect(res.body.data.allowedIps).toEqual(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7/32']);
    const listed = (await t.call('/getorganizationapikeypublic', { keyId: t.keys.target.id }, { key: t.keys.owner.raw })).body
      .data;
    expect(listed.allowedIps).toEqual(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7/32']);
    const cleared = await update(t, { keyId: t.keys.target.id, allowedIps: null });
    expect(cleared.body.data).not.toHaveProperty('allowedIps');
    await t.close();
  });

  it('refuses entries that are not addresses or ranges, host bits, IPv4-mapped ranges, octal forms, zones, an empty list and more than 50 (400)', async () => {
    const t = await createTestApp();
    const bad: [unknown, string | RegExp][] = [
      [['10.0.0.1/8'], 'did you mean 10.0.0.0/8?'],
      [['not-an-ip'], 'is not an IPv4 or IPv6 address'],
      [['10.0.0.0/33'], 'at most 32'],
      [['::ffff:10.0.0.0/104'], 'IPv4-mapped'],
      [['010.0.0.1'], 'is not an IPv4'],
      [['0x0a.0.0.1'], 'is not an IPv4'],
      [['fe80::1%eth0'], 'is not an IPv4'],
      [['10.0.0.0/8 '.repeat(10)], /./],
      [[], /./],
      [Array.from({ length: ALLOWED_IPS_MAX + 1 }, (_, i) => `10.0.${i}.0/24`), /./],
    ];
    for (const [allowedIps, message] of bad) {
      const res = await update(t, { keyId: t.keys.target.id, allowedIps });
      expect(res.status, JSON.stringify(allowedIps)).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.message).toMatch(message);
    }
    expect((await t.record(t.keys.target)).allowedIps).toBeNull();
    await t.close();
  });

  it('a request from outside answers 401 like any bad key and is audited with the address; from inside it is served', async () => {
    const t = await createTestApp();
    await update(t, { keyId: t.keys.target.id, allowedIps: ['10.0.0.0/8', '2001:db8::/32'] });
    const outside = await t.call(VERIFY, undefined, { key: t.keys.target.raw, remoteAddress: '203.0.113.9' });
    const unknown = await t.call(VERIFY, undefined, { key: unknownKey(), remoteAddress: '203.0.113.9' });
    expect(outside.status).toBe(401);
    expect(withoutRequestId(outside.text)).toBe(withoutRequestId(unknown.text));
    const row = (await t.audit()).at(-1);
    expect(row).toMatchObject({
      action: 'key.use_denied',
      result: 'denied',
      reason: 'IP_NOT_ALLOWED',
      targetKeyId: t.keys.target.id,
      organizationId: t.orgA.id,
      sourceIp: '203.0.113.9',
      requestId: outside.body.requestId,
    });
    for (const inside of ['10.1.2.3', '::ffff:10.1.2.3', '2001:db8::5']) {
      expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw, remoteAddress: inside })).status, inside).toBe(200);
    }
    for (const outsider of ['::ffff:203.0.113.9', '2001:db9::1', '127.0.0.1']) {
      expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw, remoteAddress: outsider })).status, outsider).toBe(401);
    }
    await t.close();
  });

  it('X-Forwarded-For counts only from a trusted proxy', async () => {
    const untrusted = await createTestApp();
    await update(untrusted, { keyId: untrusted.keys.target.id, allowedIps: ['10.0.0.0/8'] });
    const spoofed = await untrusted.call(VERIFY, undefined, {
      key: untrusted.keys.target.raw,
      remoteAddress: '203.0.113.9',
      headers: { 'x-forwarded-for': '10.1.2.3' },
    });
    expect(spoofed.status).toBe(401);
    await untrusted.close();

    const proxied = await createTestApp({ trustProxy: ['192.0.2.1'] });
    await update(proxied, { keyId: proxied.keys.target.id, allowedIps: ['10.0.0.0/8'] });
    const through = (xff: string, remoteAddress: string) =>
      proxied.call(VERIFY, undefined, { key: proxied.keys.target.raw, remoteAddress, headers: { 'x-forwarded-for': xff } });
    expect((await through('10.1.2.3', '192.0.2.1')).status).toBe(200);
    // The proxy appends the real peer: a client's own X-Forwarded-For entry in front of it does not count.
    expect((await through('10.1.2.3, 203.0.113.9', '192.0.2.1')).status).toBe(401);
    expect((await through('10.1.2.3', '192.0.2.2')).status).toBe(401);
    await proxied.close();
  });

  it('an allowlist that excludes the caller’s own address on its own key is SELF_LOCKOUT unless forced', async () => {
    const t = await createTestApp();
    const res = await update(t, { keyId: t.keys.owner.id, allowedIps: ['10.0.0.0/8'] });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({
      code: 'SELF_LOCKOUT',
      details: { reason: 'EXCLUDES_CALLER_ADDRESS', clientIp: '127.0.0.1' },
    });
    expect((await update(t, { keyId: t.keys.owner.id, allowedIps: ['127.0.0.0/8'] })).status).toBe(200);
    expect((await update(t, { keyId: t.keys.owner.id, allowedIps: ['10.0.0.0/8'], force: true })).status).toBe(200);
    expect((await t.call(VERIFY, undefined, { key: t.keys.owner.raw })).status).toBe(401);
    // Another key's allowlist is not the caller's lockout.
    expect((await update(t, { keyId: t.keys.target.id, allowedIps: ['10.0.0.0/8'] }, t.keys.admin.raw)).status).toBe(403);
    await t.close();
  });

  it('a stored list that cannot be parsed fails closed: 401 from everywhere', async () => {
    const t = await createTestApp();
    await update(t, { keyId: t.keys.target.id, allowedIps: ['10.0.0.0/8'] });
    const db = (t.store as unknown as { db: import('kysely').Kysely<unknown> }).db;
    for (const stored of ['{broken', '["10.0.0.0/8", 7]', '["10.0.0.1/8"]', '["nonsense"]']) {
      await sql`update api_keys set allowed_ips = ${stored} where id = ${t.keys.target.id}`.execute(db);
      for (const remoteAddress of ['10.1.2.3', '127.0.0.1']) {
        expect((await t.call(VERIFY, undefined, { key: t.keys.target.raw, remoteAddress })).status, stored).toBe(401);
      }
    }
    await t.close();
  });
});

describe('update: lifecycle in dry runs', () => {
  it('a dry run answers the would-be lifecycle fields and changes nothing', async () => {
    const t = await createTestApp();
    const res = await update(t, { keyId: t.keys.target.id, enabled: false, allowedIps: ['10.0.0.0/8'], dryRun: true });
    expect(res.body.data).toMatchObject({ dryRun: true, enabled: false, allowedIps: ['10.0.0.0/8'] });
    expect(await t.record(t.keys.target)).toMatchObject({ disabledAt: null, allowedIps: null });
    await t.close();
  });
});
