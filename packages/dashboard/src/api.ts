/**
 * The dashboard's API client. It calls the same operations as the CLI, with the session
 * cookie instead of the key header, plus the dashboard's own endpoints (DASHBOARD_API). Every
 * request is a same-origin POST carrying the CSRF header (`X-Codika-CSRF: 1`); the server
 * refuses cookie-authenticated requests without it (and with a foreign Origin). Paths and
 * header come from the contract's zero-dependency modules; its schemas only as types, so no
 * zod is shipped to the browser.
 */
import { CSRF_HEADER, DASHBOARD_API } from '@codika/contract/dashboard';
import type { AuditEntry, DashboardData, DashboardKey, DashboardRequest } from '@codika/contract/dashboard-schemas';
import { OPERATIONS } from '@codika/contract/operations';
import type { CreateKeyData, CreateKeyRequest, RevokeKeyData, UpdateKeyData, UpdateKeyRequest } from '@codika/contract/schemas';

export type { AuditEntry };

export interface ApiError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
  status: number;
  requestId?: string;
}

export type Result<T> = { ok: true; data: T; requestId: string } | { ok: false; error: ApiError };

/** A key as listed; `revokedAt` only on revoked keys (listed by inactiveKeys). */
export type Key = DashboardKey;

/** Called when any answer says the session is gone, so the app can return to sign-in. */
let onUnauthenticated: (error: ApiError) => void = () => {};
export function setUnauthenticatedHandler(handler: (error: ApiError) => void): void {
  onUnauthenticated = handler;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Read an envelope out of any answer, including a non-JSON one (proxy error page, network). */
export function readEnvelope<T>(status: number, body: unknown, headerRequestId: string | null): Result<T> {
  if (isRecord(body) && body.success === true && 'data' in body) {
    return { ok: true, data: body.data as T, requestId: String(body.requestId ?? headerRequestId ?? '') };
  }
  const requestId = isRecord(body) && typeof body.requestId === 'string' ? body.requestId : (headerRequestId ?? undefined);
  if (isRecord(body) && body.success === false && isRecord(body.error)) {
    const e = body.error;
    const error: ApiError = {
      code: typeof e.code === 'string' ? e.code : 'INTERNAL',
      message: typeof e.message === 'string' ? e.message : 'Request failed',
      status,
    };
    if (isRecord(e.details)) error.details = e.details;
    if (requestId) error.requestId = requestId;
    return { ok: false, error };
  }
  const error: ApiError = { code: 'INVALID_RESPONSE', message: `Unexpected answer from the server (HTTP ${status})`, status };
  if (requestId) error.requestId = requestId;
  return { ok: false, error };
}

export async function post<T>(path: string, body: unknown = {}): Promise<Result<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify(body),
    });
  } catch {
    return { ok: false, error: { code: 'NETWORK_ERROR', message: 'Could not reach the server', status: 0 } };
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  const result = readEnvelope<T>(res.status, json, res.headers.get('X-Request-Id'));
  if (!result.ok && result.error.code === 'UNAUTHENTICATED') onUnauthenticated(result.error);
  return result;
}

/**
 * The session this browser holds, if any: `{ signedIn: false }` without one (which costs no
 * failed authentication), the session key's /verifyapikey data with one.
 */
export function currentSession(): Promise<Result<DashboardData<'sessionCurrent'>>> {
  return post(DASHBOARD_API.sessionCurrent);
}

/** Sign-in does not go through `post`: its 401 means a wrong key, not an ended session. */
export async function signIn(apiKey: string): Promise<Result<DashboardData<'session'>>> {
  try {
    const res = await fetch(DASHBOARD_API.session, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify({ apiKey } satisfies DashboardRequest<'session'>),
    });
    let json: unknown = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    return readEnvelope(res.status, json, res.headers.get('X-Request-Id'));
  } catch {
    return { ok: false, error: { code: 'NETWORK_ERROR', message: 'Could not reach the server', status: 0 } };
  }
}

export function signOut(): Promise<Result<DashboardData<'sessionEnd'>>> {
  return post(DASHBOARD_API.sessionEnd);
}

export function listKeys(organizationId?: string): Promise<Result<{ keys: Key[] }>> {
  return post(OPERATIONS.listKeys.path, organizationId ? { organizationId } : {});
}

/** The organization's revoked and expired keys, which the keys page hides unless asked. */
export function inactiveKeys(): Promise<Result<DashboardData<'inactiveKeys'>>> {
  return post(DASHBOARD_API.inactiveKeys);
}

export function getKey(keyId: string): Promise<Result<Key>> {
  return post(OPERATIONS.getKey.path, { keyId });
}

export function updateKey(body: UpdateKeyRequest): Promise<Result<UpdateKeyData>> {
  return post(OPERATIONS.updateKey.path, body);
}

export function createKey(body: CreateKeyRequest): Promise<Result<CreateKeyData>> {
  return post(OPERATIONS.createKey.path, body);
}

export function revokeKey(keyId: string): Promise<Result<RevokeKeyData>> {
  return post(OPERATIONS.revokeKey.path, { keyId });
}

export function auditOf(keyId: string): Promise<Result<DashboardData<'audit'>>> {
  return post(DASHBOARD_API.audit, { keyId } satisfies DashboardRequest<'audit'>);
}
