import { describe, expect, it } from 'vitest';
import { readEnvelope } from './api.js';
import {
  auditChanges,
  codeHint,
  daysText,
  describeChange,
  emailHint,
  errorLines,
  expiresInDays,
  expiryFromDate,
  formatTime,
  hrefOf,
  isEmptyChange,
  keyShapeHint,
  memberErrorHelp,
  parseAllowedIps,
  parseRoute,
  planUpdate,
  selfLockoutHelp,
  unusedDays,
} from './logic.js';

describe('routes', () => {
  it('round-trips every page', () => {
    for (const route of [
      { page: 'keys' },
      { page: 'create' },
      { page: 'members' },
      { page: 'edit', keyId: '019d-abc' },
      { page: 'revoke', keyId: 'a/b c' },
      { page: 'history', keyId: 'x' },
    ] as const) {
      expect(parseRoute(hrefOf(route))).toEqual(route);
    }
  });
  it('falls back to the keys page', () => {
    expect(parseRoute('')).toEqual({ page: 'keys' });
    expect(parseRoute('#/nope')).toEqual({ page: 'keys' });
    expect(parseRoute('#/keys/%E0%A4%A/edit')).toEqual({ page: 'keys' });
  });
});

describe('sign-in by code: address and code hints', () => {
  it('accepts an address and six digits, and explains anything else', () => {
    expect(emailHint(' ada@example.com ')).toBeUndefined();
    expect(emailHint('owner@localhost')).toBeUndefined();
    expect(emailHint('')).toMatch(/Enter/);
    for (const bad of ['ada', 'ada@', '@example.com', 'a b@example.com', 'Ada <ada@example.com>', 'a@b.c, d@e.f']) {
      expect(emailHint(bad), bad).toMatch(/not an e-mail/);
    }
    expect(codeHint('012345')).toBeUndefined();
    expect(codeHint(' 012345 ')).toBeUndefined();
    expect(codeHint('')).toMatch(/Enter the code/);
    for (const bad of ['12345', '1234567', '12a456']) expect(codeHint(bad), bad).toMatch(/6 digits/);
  });
});

describe('sign-in key shape', () => {
  it('accepts a key of the right shape and explains wrong pastes', () => {
    expect(keyShapeHint(`cko_${'a'.repeat(28)}`)).toBeUndefined();
    expect(keyShapeHint(`  cko_${'a'.repeat(28)}\n`)).toBeUndefined();
    expect(keyShapeHint('')).toMatch(/Paste/);
    expect(keyShapeHint('hello')).toMatch(/starts with cko_/);
    expect(keyShapeHint('cko_abc')).toMatch(/32/);
  });
});

describe('update planning', () => {
  const key = { name: 'CI', description: '', scopes: ['projects:read', 'deploy:use-case'] };
  it('sends nothing when nothing changed (scope order and name whitespace do not count)', () => {
    expect(planUpdate(key, { name: ' CI ', description: '', scopes: ['deploy:use-case', 'projects:read'] })).toEqual({});
  });
  it('sends only the changed fields, scopes in canonical order', () => {
    expect(planUpdate(key, { name: 'CI', description: 'x', scopes: ['instances:read', 'deploy:use-case'] })).toEqual({
      description: 'x',
      scopes: ['deploy:use-case', 'instances:read'],
    });
    expect(planUpdate(key, { name: 'Prod', description: '', scopes: key.scopes })).toEqual({ name: 'Prod' });
  });
  it('describes a change as added/removed scopes and old → new values', () => {
    const change = describeChange(key, { name: 'Prod', description: '', scopes: ['deploy:use-case', 'instances:read'] });
    expect(change).toEqual({ added: ['instances:read'], removed: ['projects:read'], name: { from: 'CI', to: 'Prod' } });
    expect(isEmptyChange(change)).toBe(false);
    expect(isEmptyChange(describeChange(key, key))).toBe(true);
  });
});

describe('formatting', () => {
  it('formats timestamps in UTC and tolerates absent values', () => {
    expect(formatTime('2026-03-31T14:00:00.000Z')).toBe('2026-03-31 14:00 UTC');
    expect(formatTime(undefined)).toBe('—');
    expect(formatTime('junk')).toBe('junk');
  });
  it('summarises audit before/after states', () => {
    expect(
      auditChanges(
        { name: 'CI', scopes: ['deploy:use-case', 'projects:read'], description: '' },
        { name: 'Prod', scopes: ['deploy:use-case', 'instances:read'], description: '' },
      ),
    ).toEqual(['name: CI → Prod', 'scopes added: instances:read', 'scopes removed: projects:read']);
    expect(auditChanges(null, null)).toEqual([]);
    expect(auditChanges(null, { name: 'New' })).toEqual(['name: New']);
  });
});

describe('envelopes', () => {
  it('reads success and failure envelopes and survives non-JSON answers', () => {
    expect(readEnvelope(200, { success: true, data: { a: 1 }, requestId: 'r1' }, null)).toEqual({
      ok: true,
      data: { a: 1 },
      requestId: 'r1',
    });
    expect(
      readEnvelope(
        409,
        { success: false, error: { code: 'SELF_LOCKOUT', message: 'm', details: { x: 1 } }, requestId: 'r2' },
        null,
      ),
    ).toEqual({ ok: false, error: { code: 'SELF_LOCKOUT', message: 'm', details: { x: 1 }, status: 409, requestId: 'r2' } });
    expect(
      readEnvelope(
        401,
        { success: false, error: { code: 'INVALID_CODE', message: 'm', nextAction: 'Ask again' }, requestId: 'r4' },
        null,
      ),
    ).toEqual({
      ok: false,
      error: { code: 'INVALID_CODE', message: 'm', nextAction: 'Ask again', status: 401, requestId: 'r4' },
    });
    expect(readEnvelope(502, null, 'r3')).toEqual({
      ok: false,
      error: { code: 'INVALID_RESPONSE', message: 'Unexpected answer from the server (HTTP 502)', status: 502, requestId: 'r3' },
    });
  });
});

describe('member errors in plain words', () => {
  it('explains the refusals a member change can meet, and nothing else', () => {
    expect(memberErrorHelp('LAST_OWNER')).toMatch(/at least one owner/);
    expect(memberErrorHelp('SELF_ROLE_CHANGE')).toMatch(/your own role/);
    expect(memberErrorHelp('ROLE_HIERARCHY')).toMatch(/Only an owner/);
    expect(memberErrorHelp('MEMBER_EXISTS')).toMatch(/already a member/);
    expect(memberErrorHelp('VALIDATION_ERROR')).toBeUndefined();
  });
});

describe('usage badges', () => {
  const now = Date.parse('2026-03-31T14:00:00.000Z');
  const daysAgo = (n: number) => new Date(now - n * 86_400_000).toISOString();
  it('unused for N days: from 30 days since the last use, or since creation when never used', () => {
    expect(unusedDays({ createdAt: daysAgo(100), lastUsedAt: daysAgo(29) }, now)).toBeUndefined();
    expect(unusedDays({ createdAt: daysAgo(100), lastUsedAt: daysAgo(30) }, now)).toBe(30);
    expect(unusedDays({ createdAt: daysAgo(45) }, now)).toBe(45);
    expect(unusedDays({ createdAt: daysAgo(3) }, now)).toBeUndefined();
  });
  it('expires in N days: within 14 days, rounded up, never for an expired key', () => {
    expect(expiresInDays(undefined, now)).toBeUndefined();
    expect(expiresInDays(daysAgo(-15), now)).toBeUndefined();
    expect(expiresInDays(daysAgo(-14), now)).toBe(14);
    expect(expiresInDays(new Date(now + 3_600_000).toISOString(), now)).toBe(1);
    expect(expiresInDays(daysAgo(1), now)).toBeUndefined();
    expect(daysText(1)).toBe('1 day');
    expect(daysText(7)).toBe('7 days');
  });
});

describe('the key lifecycle in the edit form', () => {
  const key = { name: 'k', description: '', scopes: ['projects:read'], enabled: true };
  it('plans only the lifecycle fields that changed, with null for "never" and "anywhere"', () => {
    expect(planUpdate(key, { ...key, allowedIps: parseAllowedIps('') })).toEqual({});
    expect(
      planUpdate(key, {
        ...key,
        enabled: false,
        expiresAt: expiryFromDate('2026-06-30'),
        allowedIps: parseAllowedIps('10.0.0.0/8,\n 2001:db8::/32 '),
      }),
    ).toEqual({ enabled: false, expiresAt: '2026-06-30T00:00:00.000Z', allowedIps: ['10.0.0.0/8', '2001:db8::/32'] });
    const pinned = { ...key, expiresAt: '2026-06-30T00:00:00.000Z', allowedIps: ['10.0.0.0/8'] };
    expect(planUpdate(pinned, { ...pinned, expiresAt: expiryFromDate(''), allowedIps: [] })).toEqual({
      expiresAt: null,
      allowedIps: null,
    });
  });

  it('describes lifecycle changes; absent fields are the defaults', () => {
    const change = describeChange(
      { name: 'k', description: '', scopes: [] },
      { name: 'k', description: '', scopes: [], enabled: false, allowedIps: ['10.0.0.0/8'] },
    );
    expect(change).toEqual({
      added: [],
      removed: [],
      enabled: { from: true, to: false },
      allowedIps: { from: null, to: ['10.0.0.0/8'] },
    });
    expect(isEmptyChange(change)).toBe(false);
    expect(isEmptyChange(describeChange(key, { ...key, enabled: undefined }))).toBe(true);
  });

  it('words each self-lockout by its reason', () => {
    expect(selfLockoutHelp({ reason: 'DISABLES_CALLER' }).button).toBe('Disable it anyway');
    expect(selfLockoutHelp({ reason: 'EXCLUDES_CALLER_ADDRESS', clientIp: '127.0.0.1' }).text).toContain('127.0.0.1');
    expect(selfLockoutHelp(undefined).button).toBe('Remove api-keys:manage anyway');
  });
});

describe('error boxes say each problem once', () => {
  it('a validation error lists every field once, the headline without the first one again', () => {
    expect(
      errorLines({
        code: 'VALIDATION_ERROR',
        message: 'Invalid request: name: must be at most 100 characters',
        details: { name: 'must be at most 100 characters', description: 'must be at most 500 characters' },
      }),
    ).toEqual({
      headline: 'Invalid request',
      lines: ['name: must be at most 100 characters', 'description: must be at most 500 characters'],
    });
  });
  it('unknown scopes are listed only when the message does not already name them', () => {
    const named = {
      code: 'INVALID_SCOPES',
      message: 'Unknown scope "skill:read" (did you mean skills:read?)',
      details: { invalid: ['skill:read'] },
    };
    expect(errorLines(named)).toEqual({ headline: named.message, lines: [] });
    const unnamed = { code: 'INVALID_SCOPES', message: 'Invalid scopes', details: { invalid: ['skill:read'] } };
    expect(errorLines(unnamed)).toEqual({ headline: 'Invalid scopes', lines: ['Unknown scopes: skill:read'] });
  });
});
