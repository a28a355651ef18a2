/**
 * Paths and required scopes of every operation. Zero dependencies: the CLI imports it.
 */
import type { Scope } from './scopes.js';

/**
 * `auth: 'key'`: the caller's key in X-Process-Manager-Key (or a dashboard session), and
 * `scope` when not null (api-keys:manage also needs an admin or owner); `auth: 'none'`: the
 * e-mailed-code operations, which anyone may call.
 */
export const OPERATIONS = {
  verifyApiKey: { path: '/verifyapikey', scope: null, auth: 'key' },
  createKey: { path: '/createorganizationapikeypublic', scope: 'api-keys:manage', auth: 'key' },
  updateKey: { path: '/updateorganizationapikeypublic', scope: 'api-keys:manage', auth: 'key' },
  listKeys: { path: '/listorganizationapikeyspublic', scope: 'api-keys:manage', auth: 'key' },
  getKey: { path: '/getorganizationapikeypublic', scope: 'api-keys:manage', auth: 'key' },
  revokeKey: { path: '/revokeorganizationapikeypublic', scope: 'api-keys:manage', auth: 'key' },
  // accounts: e-mailed codes, sign-up, sign-in, organizations
  requestSignupCode: { path: '/clirequestsignupotp', scope: null, auth: 'none' },
  completeSignup: { path: '/clicompletesignup', scope: null, auth: 'none' },
  requestLoginCode: { path: '/clirequestloginotp', scope: null, auth: 'none' },
  completeLogin: { path: '/clicompletelogin', scope: null, auth: 'none' },
  createOrganization: { path: '/createorganizationviaapikey', scope: null, auth: 'key' },
  // members
  listMembers: { path: '/listorganizationmemberspublic', scope: 'api-keys:manage', auth: 'key' },
  addMember: { path: '/addorganizationmemberpublic', scope: 'api-keys:manage', auth: 'key' },
  updateMember: { path: '/updateorganizationmemberpublic', scope: 'api-keys:manage', auth: 'key' },
  removeMember: { path: '/removeorganizationmemberpublic', scope: 'api-keys:manage', auth: 'key' },
  // audit log
  listAuditEvents: { path: '/listauditeventspublic', scope: 'api-keys:manage', auth: 'key' },
  // key lifecycle: rotation, organization settings (the maximum key lifetime)
  rotateKey: { path: '/rotateorganizationapikeypublic', scope: 'api-keys:manage', auth: 'key' },
  getSettings: { path: '/getorganizationsettingspublic', scope: 'api-keys:manage', auth: 'key' },
  updateSettings: { path: '/updateorganizationsettingspublic', scope: 'api-keys:manage', auth: 'key' },
} as const satisfies Record<string, { path: string; scope: Scope | null; auth: 'key' | 'none' }>;

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

// The field limits live with their rules (rules.ts); here too for the importers of this module.
export {
  ALLOWED_IPS_MAX,
  DESCRIPTION_MAX,
  EMAIL_MAX,
  EXPIRES_IN_DAYS_MAX,
  GRACE_PERIOD_MAX_SECONDS,
  MAX_KEY_LIFETIME_DAYS_MAX,
  NAME_MAX,
  ORGANIZATION_DESCRIPTION_MAX,
  ORGANIZATION_NAME_MAX,
} from './rules.js';

/**
 * What the key list may show: live keys (the default), revoked ones, or expired ones (not
 * revoked, past their expiry).
 */
/** live: neither revoked nor expired (disabled ones included); disabled: live and switched off. */
export const KEY_STATES = ['live', 'revoked', 'expired', 'disabled'] as const;
export type KeyState = (typeof KEY_STATES)[number];
/**
 * Orders of the key list: `created` (oldest first, the default), `last-used` (least recently
 * used first, never-used keys before them), `name` (A–Z, case-insensitive).
 */
export const KEY_SORTS = ['created', 'last-used', 'name'] as const;
export type KeySort = (typeof KEY_SORTS)[number];

/** Roles of a member of an organization, highest first. */
export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

/** Sizes `/createorganizationviaapikey` takes, as the public CLI sends them. */
export const ORGANIZATION_SIZES = ['solo', '2-10', '11-50', '51-200', '201-1000', '1000+'] as const;
/** Digits of an e-mailed one-time code, and how long it is valid. */
export const CODE_DIGITS = 6;
export const CODE_TTL_SECONDS = 600;
/** What sign-up names the organization and the key it creates when the request does not say. */
export const DEFAULT_ORGANIZATION_NAME = 'My Organization';
export const DEFAULT_CLI_KEY_NAME = 'CLI default key';
