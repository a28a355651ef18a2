import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/http.js';
import { DEFAULT_DENIED_ATTEMPT_BUDGET } from './denial-throttle.js';

const UPDATE = '/updateorganizationapikeypublic';

describe('refused attempts per key: flood control of the audit log', () => {
  it('a key past its budget of refusals is answered 429 on audited operations, without a row each', async () => {
    const t = await createTestApp({ deniedAttemptBudget: { max: 3, windowMs: 60_000 } });
    const lacking = t.keys.lacking.raw;
    const rows = async () => (await t.audit()).filter((r) => r.actorKeyId === t.keys.lacking.id).length;
    const before = await rows();
    for (let i = 0; i < 3; i++) {
      const res = await t.call(UPDATE, { keyId: t.keys.target.id, name: `x${i}` }, { key: lacking });
      expect(res.body.error.code).toBe('INSUFFICIENT_SCOPE');
    }
    expect(await rows()).toBe(before + 3);
    for (let i = 0; i < 5; i++) {
      const res = await t.call(UPDATE, { keyId: t.keys.target.id, name: 'y' }, { key: lacking });
      expect(res.status).toBe(429);
      expect(res.body.error).toMatchObject({
        code: 'RATE_LIMITED',
        details: { reason: 'DENIED_ATTEMPTS', retryAfterSeconds: 60 },
      });
      expect(res.headers['retry-after']).toBe('60');
    }
    // Counted, not stored: no row for the throttled attempts.
    expect(await rows()).toBe(before + 3);
    // Reads are not refused, and other keys are unaffected.
    expect((await t.call('/verifyapikey', {}, { key: lacking })).status).toBe(200);
    expect((await t.call(UPDATE, { keyId: t.keys.target.id, name: 'owner ok' }, { key: t.keys.owner.raw })).status).toBe(200);
    // Once the refusals leave the window, the key's attempts are judged (and audited) again.
    t.clock.advance(60_001);
    const again = await t.call(UPDATE, { keyId: t.keys.target.id, name: 'z' }, { key: lacking });
    expect(again.body.error.code).toBe('INSUFFICIENT_SCOPE');
    expect(await rows()).toBe(before + 4);
    await t.close();
  });

  it('a flood of refused updates writes exactly the budget of rows; allowed attempts never count', async () => {
    const t = await createTestApp();
    const flood = 200;
    const rowsBefore = (await t.audit()).length;
    const statuses = new Map<number, number>();
    for (let i = 0; i < flood; i++) {
      const res = await t.call(UPDATE, { keyId: t.keys.target.id, name: 'flood' }, { key: t.keys.lacking.raw });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    expect(statuses.get(403)).toBe(DEFAULT_DENIED_ATTEMPT_BUDGET.max);
    expect(statuses.get(429)).toBe(flood - DEFAULT_DENIED_ATTEMPT_BUDGET.max);
    expect((await t.audit()).length - rowsBefore).toBe(DEFAULT_DENIED_ATTEMPT_BUDGET.max);
    // The owner's many allowed updates are all judged and all audited.
    for (let i = 0; i < DEFAULT_DENIED_ATTEMPT_BUDGET.max + 10; i++) {
      const res = await t.call(UPDATE, { keyId: t.keys.target.id, name: `rename ${i}` }, { key: t.keys.owner.raw });
      expect(res.status).toBe(200);
    }
    expect((await t.audit()).length - rowsBefore).toBe(2 * DEFAULT_DENIED_ATTEMPT_BUDGET.max + 10);
    await t.close();
  });

  it('off: every refused attempt is judged and audited', async () => {
    const t = await createTestApp({ deniedAttemptBudget: false });
    const rowsBefore = (await t.audit()).length;
    for (let i = 0; i < DEFAULT_DENIED_ATTEMPT_BUDGET.max + 5; i++) {
      expect((await t.call(UPDATE, { keyId: t.keys.target.id, name: 'x' }, { key: t.keys.lacking.raw })).status).toBe(403);
    }
    expect((await t.audit()).length - rowsBefore).toBe(DEFAULT_DENIED_ATTEMPT_BUDGET.max + 5);
    await t.close();
  });
});
