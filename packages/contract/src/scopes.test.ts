import { describe, expect, it } from 'vitest';
import { canonicalScopes, describeInvalidScopes, SCOPES, splitScopeList, suggestScope } from './scopes.js';

describe('scopes', () => {
  it('has exactly the ten seed scopes', () => {
    expect(SCOPES).toHaveLength(10);
    expect(new Set(SCOPES).size).toBe(10);
  });
  it('splits comma lists, trimming and dropping empties', () => {
    expect(splitScopeList('deploy:use-case, instances:read,,projects:read ')).toEqual([
      'deploy:use-case',
      'instances:read',
      'projects:read',
    ]);
    expect(splitScopeList(' , ')).toEqual([]);
  });
  it('canonicalises to alphabetical order (the seed output order) and collapses duplicates', () => {
    expect(canonicalScopes(['projects:read', 'deploy:use-case', 'projects:read'])).toEqual(['deploy:use-case', 'projects:read']);
    expect(canonicalScopes(['deploy:use-case', 'instances:read', 'projects:read'])).toEqual([
      'deploy:use-case',
      'instances:read',
      'projects:read',
    ]);
    expect(canonicalScopes(['projects:read', 'instances:manage', 'deploy:use-case', 'instances:read', 'bogus'])).toEqual([
      'deploy:use-case',
      'instances:manage',
      'instances:read',
      'projects:read',
    ]);
  });
  it('suggests the nearest scope for typos and nothing for junk', () => {
    expect(suggestScope('projects:raed')).toBe('projects:read');
    expect(suggestScope('project:read')).toBe('projects:read');
    expect(suggestScope('api-key:manage')).toBe('api-keys:manage');
    expect(suggestScope('zzzzzzzz')).toBeUndefined();
  });
  it('describes invalid scopes with hints and the valid list', () => {
    const msg = describeInvalidScopes(['projects:raed']);
    expect(msg).toContain('did you mean projects:read?');
    for (const s of SCOPES) expect(msg).toContain(s);
  });
});
