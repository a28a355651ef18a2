/**
 * Error codes of the platform API with their HTTP statuses and default messages.
 * Zero dependencies: the CLI imports this module at start-up.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: { status: 401, message: 'Missing, invalid, revoked or expired API key' },
  INSUFFICIENT_SCOPE: { status: 403, message: 'The API key lacks the scope this operation requires' },
  NOT_ORG_ADMIN: { status: 403, message: 'The user behind this API key is not an admin or owner of the organization' },
  SCOPE_ESCALATION: { status: 403, message: 'Cannot grant scopes that the calling API key does not hold' },
  CSRF_REJECTED: {
    status: 403,
    message: 'Cross-site request refused: a dashboard request needs the X-Codika-CSRF header and this server as its Origin',
  },
  API_KEY_REQUIRED: {
    status: 403,
    message: 'This operation needs an API key; a dashboard session signed in by e-mailed code cannot call it',
  },
  USER_SESSION_REQUIRED: {
    status: 403,
    message: 'This operation is for a person signed in to the dashboard by e-mailed code',
  },
  KEY_NOT_FOUND: { status: 404, message: 'API key not found' },
  ORGANIZATION_NOT_FOUND: { status: 404, message: 'Organization not found' },
  VALIDATION_ERROR: { status: 400, message: 'Invalid request' },
  NO_FIELDS: { status: 400, message: 'At least one of scopes, name, or description must be provided' },
  INVALID_SCOPES: { status: 400, message: 'Invalid scopes' },
  SELF_LOCKOUT: {
    status: 409,
    message: 'This update would remove api-keys:manage from the API key making the call; pass force to do it anyway',
  },
  MAX_API_KEYS_REACHED: { status: 429, message: 'The organization has reached its maximum number of API keys' },
  RATE_LIMITED: { status: 429, message: 'Too many failed authentication attempts; retry later' },
  // accounts: e-mailed codes, sign-up, sign-in, organizations
  INVALID_CODE: { status: 401, message: 'The code is wrong, used or expired' },
  SIGNUP_DISABLED: { status: 403, message: 'This server does not take sign-ups for this address' },
  MULTIPLE_ORGANIZATIONS: { status: 409, message: 'This user belongs to several organizations; choose one' },
  NO_ORGANIZATION: { status: 403, message: 'This user belongs to no organization' },
  MAIL_UNAVAILABLE: { status: 503, message: 'The e-mail with the code could not be sent; try again later' },
  UNSUPPORTED_FIELD: { status: 400, message: 'This server does not support a field of the request' },
  // members
  MEMBER_NOT_FOUND: { status: 404, message: 'No such member of this organization' },
  ROLE_HIERARCHY: {
    status: 403,
    message: "Only an owner may change an owner, an owner's keys, or grant the owner role",
  },
  LAST_OWNER: { status: 409, message: 'The organization must keep at least one owner' },
  SELF_ROLE_CHANGE: { status: 409, message: 'You cannot change your own role or remove yourself' },
  MEMBER_EXISTS: {
    status: 409,
    message: 'This person is already a member of the organization; change their role with /updateorganizationmemberpublic',
  },
  // key lifecycle
  KEY_LIFETIME_EXCEEDED: {
    status: 400,
    message: "The key would live longer than the organization's maximum key lifetime allows",
  },
  NOT_ORG_OWNER: { status: 403, message: "Only an owner of the organization may change the organization's settings" },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  // transport (the HTTP layer refused the request before any operation saw it)
  REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time' },
  HEADERS_TOO_LARGE: { status: 431, message: 'Request headers are too large' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The server cannot serve this request now; retry later' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Content-Type must be application/json' },
  NOT_FOUND: { status: 404, message: 'Route not found' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed; every operation is a POST' },
  INTERNAL: { status: 500, message: 'Internal server error' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The failure envelope every error answer carries. */
export interface ErrorEnvelope {
  success: false;
  /** `nextAction`: a sentence for a person, what to do next (printed under the error). */
  error: { code: string; message: string; nextAction?: string; details?: Record<string, unknown> };
  requestId?: string;
}

export interface SuccessEnvelope<T> {
  success: true;
  data: T;
  requestId: string;
}

export type Envelope<T> = SuccessEnvelope<T> | ErrorEnvelope;

/** Client-side error codes used by the CLI in its JSON failure documents. */
export const CLIENT_ERROR_CODES = [
  'VALIDATION_ERROR',
  'MISSING_API_KEY',
  'INVALID_API_KEY',
  'NETWORK_ERROR',
  'INVALID_RESPONSE',
  'CONFIG_ERROR',
  'CANCELLED',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];
