import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/http.js';

describe('GET /healthz', () => {
  it('answers {"status":"ok"} without a key', async () => {
    const t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await t.close();
  });
});
