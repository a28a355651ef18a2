import { describe, expect, it } from 'vitest';
import { runAuthzMatrix } from '../test-support/authz-matrix.js';
import { createTestApp } from '../test-support/http.js';

const PATH = '/verifyapikey';

describe('POST /verifyapikey — authorization matrix', () => {
  runAuthzMatrix({ path: PATH, target: 'none', scope: null, audited: false, mutates: false, body: () => undefined });
});

describe('POST /verifyapikey', () => {
  it('answers the identity of the calling key', async () => {
    const t = await createTestApp();
    const res = await t.call(PATH, undefined, { key: t.keys.target.raw });
    expect(res.status).toBe(200);
    console.log(res.body);
    await t.close();
  });
});
