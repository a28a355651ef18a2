import { describe, expect, it } from 'vitest';
import { Metrics } from './metrics.js';
import { createTestApp, rawKeysOf, type TestApp, unknownKey } from './test-support/http.js';

const UPDATE = '/updateorganizationapikeypublic';

/** The value of one sample of the scrape, 0 when absent (a counter not yet incremented). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return 0;
}

async function scrape(t: TestApp): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}

describe('GET /metrics', () => {
  it('counts known traffic by value: requests, auth failures, throttles, key changes, sign-ins', async () => {
    const t = await createTestApp({
      metrics: new Metrics(),
      serveMetrics: true,
      deniedAttemptBudget: { max: 2, windowMs: 60_000 },
    });
    const verifies = 7;
    for (let i = 0; i < verifies; i++) expect((await t.call('/verifyapikey', {}, { key: t.keys.owner.raw })).status).toBe(200);
    for (let i = 0; i < 3; i++) await t.call('/verifyapikey', {}, { key: unknownKey() });
    for (let i = 0; i < 2; i++) await t.call('/verifyapikey', {}, {});
    await t.call('/verifyapikey', {}, { key: t.keys.revoked.raw });
    // Key changes: 2 allowed, 1 dry run, then the lacking key: 2 refusals, then 3 throttled.
    await t.call(UPDATE, { keyId: t.keys.target.id, name: 'a' }, { key: t.keys.owner.raw });
    await t.call(UPDATE, { keyId: t.keys.target.id, name: 'b' }, { key: t.keys.owner.raw });
    await t.call(UPDATE, { keyId: t.keys.target.id, name: 'c', dryRun: true }, { key: t.keys.owner.raw });
    const lacking = [];
    for (let i = 0; i < 5; i++)
      lacking.push((await t.call(UPDATE, { keyId: t.keys.target.id, name: 'x' }, { key: t.keys.lacking.raw })).status);
    expect(lacking).toEqual([403, 403, 429, 429, 429]);
    // A dashboard sign-in with a key, one refused.
    const csrf = { 'x-codika-csrf': '1', origin: 'http://localhost:80' };
    await t.call('/dashboard/api/session', { apiKey: t.keys.admin.raw }, { headers: { ...csrf, host: 'localhost:80' } });
    await t.call('/dashboard/api/session', { apiKey: unknownKey() }, { headers: { ...csrf, host: 'localhost:80' } });
    // A key in a query string and in an unknown path: never a label.
    await t.call(`/verifyapikey?key=${t.keys.member.raw}`, {}, { key: t.keys.member.raw });
    await t.call(`/no/such/${t.keys.member.raw}`, {}, {});

    const text = await scrape(t);
    const verify = { route: '/verifyapikey', method: 'POST' };
    expect(sample(text, 'codika_http_requests_total', { ...verify, status: '200' })).toBe(verifies + 1);
    expect(sample(text, 'codika_http_requests_total', { ...verify, status: '401' })).toBe(6);
    expect(sample(text, 'codika_http_request_duration_seconds_count', { ...verify, status: '200' })).toBe(verifies + 1);
    expect(sample(text, 'codika_http_requests_total', { route: 'unmatched', method: 'POST', status: '404' })).toBe(1);
    expect(sample(text, 'codika_http_requests_total', { route: UPDATE, method: 'POST', status: '429' })).toBe(3);
    // 3 guesses + the dashboard's unknown key; 2 without a key; the revoked key.
    expect(sample(text, 'codika_auth_failures_total', { reason: 'unknown_credential' })).toBe(4);
    expect(sample(text, 'codika_auth_failures_total', { reason: 'missing_credential' })).toBe(2);
    expect(sample(text, 'codika_auth_failures_total', { reason: 'rejected_credential' })).toBe(1);
    expect(sample(text, 'codika_throttled_requests_total', { reason: 'denied_attempts' })).toBe(3);
    expect(sample(text, 'codika_key_changes_total', { action: 'key.update', outcome: 'allowed' })).toBe(2);
    expect(sample(text, 'codika_key_changes_total', { action: 'key.update', outcome: 'dry_run' })).toBe(1);
    expect(sample(text, 'codika_key_changes_total', { action: 'key.update', outcome: 'denied' })).toBe(2);
    expect(sample(text, 'codika_sign_ins_total', { method: 'dashboard_key', outcome: 'success' })).toBe(1);
    expect(sample(text, 'codika_sign_ins_total', { method: 'dashboard_key', outcome: 'failure' })).toBe(1);
    // Process metrics are there.
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

    // No key material, key id or e-mail address in any label value.
    for (const raw of rawKeysOf(t)) expect(text).not.toContain(raw);
    expect(text).not.toContain('cko_');
    expect(text).not.toMatch(/@[a-z0-9.-]+\.test/);
    for (const key of Object.values(t.keys)) expect(text).not.toContain(key.id);
    for (const user of Object.values(t.users)) expect(text).not.toContain(user.email);
    await t.close();
  });

  it('counts the SQLite group commits by batch size', async () => {
    const metrics = new Metrics({ processMetrics: false });
    const t = await createTestApp({ metrics, serveMetrics: true });
    const before = sample(await scrape(t), 'codika_sqlite_group_commit_transactions_sum');
    const updates = 10;
    await Promise.all(
      Array.from({ length: updates }, (_, i) =>
        t.call(UPDATE, { keyId: t.keys.target.id, name: `n${i}` }, { key: t.keys.owner.raw }),
      ),
    );
    const text = await scrape(t);
    if (t.store.usage?.().pool === undefined) {
      // SQLite: every allowed update is one transaction of some group.
      expect(sample(text, 'codika_sqlite_group_commit_transactions_sum') - before).toBeGreaterThanOrEqual(updates);
    } else {
      // PostgreSQL: the pool gauge instead.
      expect(sample(text, 'codika_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
    }
    await t.close();
  });

  it('is not served without serveMetrics (start without --metrics)', async () => {
    const t = await createTestApp({ metrics: new Metrics({ processMetrics: false }) });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(404);
    await t.close();
    const plain = await createTestApp();
    expect((await plain.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
    await plain.close();
  });
});
