/** Text people read — key and organization names and descriptions — is checked and normalized the same way. */
import { describe, expect, it } from 'vitest';
import { Id, KeyDescription, KeyName, OrganizationDescription, OrganizationName } from './schemas.js';

const NAMES = [
  ['KeyName', KeyName],
  ['OrganizationName', OrganizationName],
] as const;
const DESCRIPTIONS = [
  ['KeyDescription', KeyDescription],
  ['OrganizationDescription', OrganizationDescription],
] as const;

describe.each([...NAMES, ...DESCRIPTIONS])('%s', (_name, schema) => {
  it('stores NFC: a decomposed é becomes one code point, and the limit counts the normalized text', () => {
    expect(schema.parse('Cafe\u0301')).toBe('Caf\u00e9');
    expect(schema.parse('e\u0301'.repeat(80)).length).toBe(80);
  });

  it('refuses bidirectional controls and invisible formatting characters', () => {
    for (const c of ['\u202e', '\u202a', '\u2066', '\u2069', '\u200e', '\u200f', '\u061c', '\u200b', '\u2060']) {
      const result = schema.safeParse(`ab${c}cd`);
      expect(result.success, JSON.stringify(c)).toBe(false);
      expect(result.error?.issues[0]?.message).toMatch(/bidirectional controls or invisible formatting/);
    }
  });

  it('refuses unpaired surrogates, keeps paired ones (emoji) and joiners', () => {
    expect(schema.safeParse('a\ud800b').success).toBe(false);
    expect(schema.safeParse('a\udc00b').success).toBe(false);
    expect(schema.safeParse('a\udc00\ud800b').success).toBe(false);
    expect(schema.parse('deploy 🔑 👩\u200d👩\u200d👧')).toBe('deploy 🔑 👩\u200d👩\u200d👧');
    expect(schema.parse('می\u200cخواهم')).toBe('می\u200cخواهم');
  });
});

describe.each(NAMES)('%s (names)', (_name, schema) => {
  it('trims, refuses empty and control characters', () => {
    expect(schema.parse('  Acme  ')).toBe('Acme');
    expect(schema.safeParse('   ').success).toBe(false);
    expect(schema.safeParse('a\tb').success).toBe(false);
  });
});

describe('Id', () => {
  it('refuses control characters (NUL included) and accepts ids of the usual shapes', () => {
    for (const bad of ['a\u0000b', '\u0000', 'id\n', 'id\r', '\u007f', 'a\u0085b', '', 'x'.repeat(129)]) {
      expect(Id.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    for (const good of ['019d312f-8c1e-7b2a-9f00-1d2e3f4a5b6c', 'key_1', 'é']) expect(Id.safeParse(good).success).toBe(true);
  });
});
