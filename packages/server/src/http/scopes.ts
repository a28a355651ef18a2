/**
 * Semantic checks of scope lists (after shape validation): unknown names anywhere →
 * one 400 INVALID_SCOPES naming them (with the nearest valid scope as a hint) and listing
 * the valid ones; an empty list → INVALID_SCOPES as well.
 */
import { canonicalScopes, describeInvalidScopes, isScope, SCOPES, type Scope } from '@codika/contract/scopes';
import { ApiError } from './errors.js';

export function invalidScopes(message: string, invalid: readonly string[], extra: Record<string, unknown> = {}): ApiError {
  return new ApiError('INVALID_SCOPES', { message, details: { invalid: [...invalid], allowed: [...SCOPES], ...extra } });
}

/** Check every given list; returns each in canonical form (alphabetical, duplicates collapsed). */
export function checkScopeLists<K extends string>(
  lists: Partial<Record<K, readonly string[] | undefined>>,
): Partial<Record<K, Scope[]>> {
  const invalid: string[] = [];
  for (const list of Object.values<readonly string[] | undefined>(lists)) {
    for (const entry of list ?? []) {
      if (!isScope(entry) && !invalid.includes(entry)) invalid.push(entry);
    }
  }
  if (invalid.length > 0) throw invalidScopes(describeInvalidScopes(invalid), invalid);

  const out: Partial<Record<K, Scope[]>> = {};
  for (const [field, list] of Object.entries<readonly string[] | undefined>(lists)) {
    if (list === undefined) continue;
    if (list.length === 0) throw invalidScopes(`${field} must not be empty`, [], { field });
    out[field as K] = canonicalScopes(list);
  }
  return out;
}
