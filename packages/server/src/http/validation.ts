/**
 * Body validation with the contract's zod request schemas (strict: unknown fields are
 * refused). Failures become 400 VALIDATION_ERROR with one message per field path.
 */
import type { z } from 'zod';
import { ApiError } from './errors.js';

/** Key used in `details` for problems with the body as a whole (not an object, …). */
export const BODY_PATH = '(body)';

function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return BODY_PATH;
  return path.map((p) => String(p)).join('.');
}

/**
 * Field path → message for each zod issue; unknown fields get one entry each. Built in a Map
 * and turned into a plain object with own properties only, so a field named `__proto__`,
 * `constructor` or `toString` is named like any other (an object literal would find those on
 * its prototype and skip them, or assign the prototype).
 */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const details = new Map<string, string>();
  const add = (path: string, message: string) => {
    if (!details.has(path)) details.set(path, message);
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(pathOf([...issue.path, key]), 'unknown field');
      continue;
    }
    add(pathOf(issue.path), issue.message);
  }
  return Object.fromEntries(details);
}

export function validationError(details: Record<string, string>): ApiError {
  const first = Object.entries(details)[0];
  const message = first === undefined ? 'Invalid request' : `Invalid request: ${first[0]}: ${first[1]}`;
  return new ApiError('VALIDATION_ERROR', { message, details });
}

export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body === undefined ? {} : body);
  if (!result.success) throw validationError(issuesToDetails(result.error.issues));
  return result.data;
}
