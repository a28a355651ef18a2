export * from './errors.js';
export * from './keys.js';
export * from './operations.js';
export * from './rules.js';
export * from './schemas.js';
export * from './scopes.js';
