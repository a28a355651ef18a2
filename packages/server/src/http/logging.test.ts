import { generateKey } from '@codika/contract/keys';
import { describe, expect, it } from 'vitest';
import { createTestApp } from '../test-support/http.js';
import { pathOnly } from './logging.js';

describe('logged URLs', () => {
  it('drop the query string and cut anything key-shaped in the path to its display prefix', () => {
    const key = generateKey('cko_');
    expect(pathOnly(`/verifyapikey?key=${key}`)).toBe('/verifyapikey');
    expect(pathOnly(`/${key}`)).toBe(`/${key.slice(0, 8)}…`);
    expect(pathOnly(`/a/${key}x/b/${generateKey('ckp_')}`)).not.toMatch(/ck[op]_[0-9A-Za-z]{5}/);
    expect(pathOnly('/updateorganizationapikeypublic')).toBe('/updateorganizationapikeypublic');
  });

  it('a key sent in the URL path does not reach the log', async () => {
    const t = await createTestApp();
    try {
      await t.app.inject({ method: 'GET', url: `/${t.keys.owner.raw}` });
      await t.app.inject({ method: 'POST', url: `/verifyapikey/${t.keys.admin.raw}` });
      expect(t.logs.text()).toContain('/cko_');
      expect(t.logs.text()).not.toContain(t.keys.owner.raw);
      expect(t.logs.text()).not.toContain(t.keys.admin.raw);
    } finally {
      await t.close();
    }
  });
});
