/**
 * Paths and required scopes of every operation. Zero dependencies: the CLI imports it.
 */
import type { Scope } from './scopes.js';

export const OPERATIONS = {
  verifyApiKey: { path: '/verifyapikey', scope: null },
  createKey: { path: '/createorganizationapikeypublic', scope: 'api-keys:manage' },
  updateKey: { path: '/updateorganizationapikeypublic', scope: 'api-keys:manage' },
  listKeys: { path: '/listorganizationapikeyspublic', scope: 'api-keys:manage' },
  getKey: { path: '/getorganizationapikeypublic', scope: 'api-keys:manage' },
  revokeKey: { path: '/revokeorganizationapikeypublic', scope: 'api-keys:manage' },
} as const satisfies Record<string, { path: string; scope: Scope | null }>;

export type OperationName = keyof typeof OPERATIONS;

/** Header that carries the caller's raw key. */
export const API_KEY_HEADER = 'X-Process-Manager-Key';
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Default base URL of a local codika-server. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8787';
export const DEFAULT_PORT = 8787;

/** Body limit of every operation. */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** Live keys an organization may hold at once. */
export const DEFAULT_MAX_KEYS_PER_ORG = 20;

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 500;
export const EXPIRES_IN_DAYS_MAX = 365;
