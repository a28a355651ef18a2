export * from './audit.js';
export * from './dashboard.js';
export * from './dashboard-schemas.js';
export * from './errors.js';
export * from './keys.js';
export * from './operations.js';
export * from './schemas.js';
export * from './scopes.js';
