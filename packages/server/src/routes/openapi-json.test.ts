import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/http.js';

describe('GET /openapi.json', () => {
  it('serves the OpenAPI 3.1 document without a key', async () => {
    const t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/updateorganizationapikeypublic');
    await t.close();
  });
});
