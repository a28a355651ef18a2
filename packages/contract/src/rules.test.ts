import { describe, expect, it } from 'vitest';
import { DESCRIPTION_MAX, descriptionProblem, keyUpdateProblem, NAME_MAX, nameProblem, ORGANIZATION_NAME_MAX } from './rules.js';

describe('nameProblem', () => {
  it('judges the trimmed name: not empty, at most the limit, no control characters', () => {
    expect(nameProblem('CI key')).toBeUndefined();
    expect(nameProblem(` ${'x'.repeat(NAME_MAX)} `)).toBeUndefined();
    expect(nameProblem('')).toBe('must not be empty');
    expect(nameProblem(' \t ')).toBe('must not be empty');
    expect(nameProblem('x'.repeat(NAME_MAX + 1))).toBe(`must be at most ${NAME_MAX} characters`);
    expect(nameProblem('a\u0000b')).toBe('must not contain control characters');
    expect(nameProblem('a\nb')).toBe('must not contain control characters');
    expect(nameProblem('a\u0085b')).toBe('must not contain control characters');
  });
  it('takes another limit (organization names)', () => {
    expect(nameProblem('x'.repeat(ORGANIZATION_NAME_MAX + 1), ORGANIZATION_NAME_MAX)).toMatch(/at most/);
    expect(nameProblem('x'.repeat(20), 10)).toBe('must be at most 10 characters');
  });
});

describe('descriptionProblem', () => {
  it('allows tab and newline, refuses other control characters and an over-long text', () => {
    expect(descriptionProblem('')).toBeUndefined();
    expect(descriptionProblem('line 1\n\tline 2')).toBeUndefined();
    expect(descriptionProblem('x'.repeat(DESCRIPTION_MAX))).toBeUndefined();
    expect(descriptionProblem('x'.repeat(DESCRIPTION_MAX + 1))).toBe(`must be at most ${DESCRIPTION_MAX} characters`);
    expect(descriptionProblem('bell\u0007')).toBe('must not contain control characters');
    expect(descriptionProblem('del\u007f')).toBe('must not contain control characters');
  });
});

describe('keyUpdateProblem', () => {
  it('refuses scopes with addScopes or removeScopes, before counting fields', () => {
    expect(keyUpdateProblem({ scopes: ['a'], addScopes: ['b'] })).toBe('SCOPES_COMBINED');
    expect(keyUpdateProblem({ scopes: [], removeScopes: [] })).toBe('SCOPES_COMBINED');
  });
  it('needs at least one field; an empty string or list counts as given', () => {
    expect(keyUpdateProblem({})).toBe('NO_FIELDS');
    expect(keyUpdateProblem({ scopes: undefined, name: undefined })).toBe('NO_FIELDS');
    for (const fields of [{ scopes: [] }, { addScopes: ['a'] }, { removeScopes: ['a'] }, { name: 'n' }, { description: '' }]) {
      expect(keyUpdateProblem(fields)).toBeUndefined();
    }
    expect(keyUpdateProblem({ addScopes: ['a'], removeScopes: ['b'] })).toBeUndefined();
  });
});
