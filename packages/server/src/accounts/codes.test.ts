import { describe, expect, it } from 'vitest';
import { codeMatches, hashCode, newCode } from './codes.js';

const ADA = { email: 'ada@example.com', purpose: 'login' as const };

describe('one-time codes', () => {
  it('are 6 decimal digits, leading zeros kept, spread over the whole range', () => {
    const codes = Array.from({ length: 5000 }, () => newCode());
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(4950);
    const firstDigits = new Set(codes.map((c) => c[0]));
    expect(firstDigits.size).toBe(10);
  });

  it('are stored as a salted HMAC that never contains the code; each hash has its own salt', () => {
    const a = hashCode('012345', ADA);
    const b = hashCode('012345', ADA);
    expect(a).toMatch(/^v1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('012345');
  });

  it('match only the same code, address and purpose', () => {
    const stored = hashCode('012345', ADA);
    expect(codeMatches('012345', stored, ADA)).toBe(true);
    expect(codeMatches('012346', stored, ADA)).toBe(false);
    expect(codeMatches('012345', stored, { ...ADA, email: 'bob@example.com' })).toBe(false);
    expect(codeMatches('012345', stored, { ...ADA, purpose: 'signup' })).toBe(false);
    for (const broken of ['', 'v1$', 'v2$abc$def', 'v1$abc', `${stored}x`, stored.slice(0, -2)]) {
      expect(codeMatches('012345', broken, ADA)).toBe(false);
    }
  });
});
