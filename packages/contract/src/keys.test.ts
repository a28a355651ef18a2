import { describe, expect, it } from 'vitest';
import { DISPLAY_PREFIX_LENGTH, generateKey, KEY_LENGTH, maskKey, parseKey } from './keys.js';

describe('key format', () => {
  it('generates cko_ keys of the documented length that parse', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const key = generateKey();
      expect(key).toMatch(/^cko_[0-9A-Za-z]{28}$/);
      expect(key).toHaveLength(KEY_LENGTH);
      const parsed = parseKey(key);
      expect(parsed).toEqual({ ok: true, kind: 'cko_', type: 'org-api-key', prefix: key.slice(0, DISPLAY_PREFIX_LENGTH) });
      seen.add(key);
    }
    expect(seen.size).toBe(500);
  });

  it('refuses every single-character typo by checksum or format', () => {
    const key = generateKey();
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    let refused = 0;
    let tried = 0;
    for (let i = 4; i < key.length; i++) {
      for (const c of alphabet) {
        if (c === key[i]) continue;
        tried++;
        const typo = key.slice(0, i) + c + key.slice(i + 1);
        if (!parseKey(typo).ok) refused++;
      }
    }
    expect(refused).toBe(tried);
  });

  it('refuses bad shapes', () => {
    const key = generateKey();
    expect(parseKey('')).toEqual({ ok: false, reason: 'format' });
    expect(parseKey(key.slice(0, -1))).toEqual({ ok: false, reason: 'format' });
    expect(parseKey(`${key}x`)).toEqual({ ok: false, reason: 'format' });
    expect(parseKey(`xxx_${key.slice(4)}`)).toEqual({ ok: false, reason: 'format' });
    expect(parseKey(`ckp_${key.slice(4)}`)).toEqual({ ok: false, reason: 'checksum' });
  });

  it('masks to the 8-character prefix', () => {
    const key = generateKey();
    expect(maskKey(key)).toBe(`${key.slice(0, 8)}…`);
    expect(maskKey(key)).not.toContain(key.slice(8));
  });
});

describe('checksum', () => {
  it('is zlib crc32', async () => {
    const { crc32: zlibCrc32 } = await import('node:zlib');
    const { crc32 } = await import('./keys.js');
    for (let i = 0; i < 300; i++) {
      const body = generateKey().slice(0, 26);
      expect(crc32(body)).toBe(zlibCrc32(body));
    }
    for (const text of ['', 'a', 'cko_', 'é€𝄞', 'x'.repeat(1000)]) expect(crc32(text)).toBe(zlibCrc32(text));
  });
});
