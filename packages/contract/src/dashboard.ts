/**
 * The dashboard's own endpoints: their paths and the header its requests carry. Zero
 * dependencies: the dashboard's browser bundle imports it. Their request and response
 * schemas are in dashboard-schemas.ts (the dashboard imports only their types). The key
 * operations themselves are the API's (operations.ts), reached with the session cookie.
 */
export const DASHBOARD_API = {
  /** `{ apiKey }` → opens a session for that key (checked as /verifyapikey does), sets the cookie. */
  session: '/dashboard/api/session',
  /** `{}` → ends the session and deletes the cookie. */
  sessionEnd: '/dashboard/api/session/end',
  /** `{}` → `{ signedIn: false }` without a session cookie, else the session key's identity. */
  sessionCurrent: '/dashboard/api/session/current',
  /** `{ keyId, limit? }` → the audit rows of a key of the caller's organization. */
  audit: '/dashboard/api/audit',
  /** `{}` → the organization's revoked and expired keys. */
  inactiveKeys: '/dashboard/api/inactive-keys',
} as const;

export type DashboardEndpoint = keyof typeof DASHBOARD_API;

/**
 * The header every dashboard request carries (any non-empty value); a cross-site form cannot
 * set it, so the server refuses a cookie-authenticated request without it (CSRF_REJECTED).
 */
export const CSRF_HEADER = 'X-Codika-CSRF';

/** Audit rows the audit endpoint answers when no limit is asked, and at most. */
export const AUDIT_LIMIT_DEFAULT = 200;
export const AUDIT_LIMIT_MAX = 1000;
