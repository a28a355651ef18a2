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

  it('decode the path before cutting, so a percent-encoded key is cut too', () => {
    const key = generateKey('cko_');
    const everyChar = [...key].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    const forms = [
      `/${key.replace('_', '%5F')}`,
      `/${key.replace('_', '%5f')}`,
      `/${everyChar}`,
      `/${everyChar.replaceAll('%', '%25')}`,
      `/x/${key.slice(0, 10)}%${key.slice(10)}%zz`,
      `/${key.slice(4)}`,
      `/${key.slice(4).replace(/./g, (c) => `%${c.charCodeAt(0).toString(16)}`)}`,
    ];
    for (const form of forms) {
      const logged = pathOnly(form) ?? '';
      expect(logged, form).not.toContain(key.slice(8));
      expect(logged, form).not.toContain(key.slice(12, 30));
    }
    expect(pathOnly(`/${key.replace('_', '%5F')}`)).toBe(`/${key.slice(0, 8)}…`);
    // Nothing to cut: the path is logged as it came, escapes and all.
    expect(pathOnly('/assets/index-B2xk3dD9.js')).toBe('/assets/index-B2xk3dD9.js');
    expect(pathOnly('/a%20b/%zz')).toBe('/a%20b/%zz');
  });

  it('a key sent in the URL path does not reach the log', async () => {
    const t = await createTestApp();
    try {
      await t.app.inject({ method: 'GET', url: `/${t.keys.owner.raw}` });
      await t.app.inject({ method: 'POST', url: `/verifyapikey/${t.keys.admin.raw}` });
      await t.app.inject({ method: 'GET', url: `/${t.keys.member.raw.replace('_', '%5F')}` });
      await t.app.inject({ method: 'GET', url: `/${t.keys.target.raw.replace('_', '%5F')}%zz` });
      expect(t.logs.text()).toContain('/cko_');
      expect(t.logs.text()).not.toContain(t.keys.owner.raw);
      expect(t.logs.text()).not.toContain(t.keys.admin.raw);
      expect(t.logs.text()).not.toContain(t.keys.member.raw.slice(8));
      expect(t.logs.text()).not.toContain(t.keys.target.raw.slice(8));
    } finally {
      await t.close();
    }
  });
});
