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
import { OPERATIONS, type Role } from '@codika/contract/operations';
import type {
  CreateKeyData,
  CreateKeyRequest,
  ListMembersData,
  MemberChangeData,
  RemoveMemberData,
  RevokeKeyData,
  UpdateKeyData,
  UpdateKeyRequest,
} from '@codika/contract/schemas';

export type { AuditEntry };

export interface ApiError {
  code: string;
  message: string;
  /** What the person can do next, when the server says (e-mailed codes, member changes). */
  nextAction?: string;
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
    if (typeof e.nextAction === 'string') error.nextAction = e.nextAction;
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
export function signIn(apiKey: string): Promise<Result<DashboardData<'session'>>> {
  return postSignIn(DASHBOARD_API.session, { apiKey } satisfies DashboardRequest<'session'>);
}

/** E-mail a sign-in code (the same answer whether or not the address has an account). */
export function requestCode(email: string): Promise<Result<DashboardData<'codeRequest'>>> {
  return postSignIn(DASHBOARD_API.codeRequest, { email } satisfies DashboardRequest<'codeRequest'>);
}

/** Sign in with the e-mailed code: signed in, or the organizations to choose from. */
export function completeCode(email: string, code: string): Promise<Result<DashboardData<'codeComplete'>>> {
  return postSignIn(DASHBOARD_API.codeComplete, { email, code } satisfies DashboardRequest<'codeComplete'>);
}

/** A person signed in by code chooses the organization the session acts in. */
export function chooseOrganization(organizationId: string): Promise<Result<DashboardData<'sessionOrganization'>>> {
  return post(DASHBOARD_API.sessionOrganization, { organizationId } satisfies DashboardRequest<'sessionOrganization'>);
}

async function postSignIn<T>(path: string, body: unknown): Promise<Result<T>> {
  try {
    const res = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: '1' },
      body: JSON.stringify(body),
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

/** The live keys the signed-in person created (a member signed in by code sees only these). */
export function myKeys(): Promise<Result<DashboardData<'myKeys'>>> {
  return post(DASHBOARD_API.myKeys);
}

export function revokeMyKey(keyId: string): Promise<Result<DashboardData<'myKeysRevoke'>>> {
  return post(DASHBOARD_API.myKeysRevoke, { keyId } satisfies DashboardRequest<'myKeysRevoke'>);
}

export function listMembers(): Promise<Result<ListMembersData>> {
  return post(OPERATIONS.listMembers.path, {});
}

export function addMember(email: string, role: Role): Promise<Result<MemberChangeData>> {
  return post(OPERATIONS.addMember.path, { email, role });
}

export function updateMember(userId: string, role: Role): Promise<Result<MemberChangeData>> {
  return post(OPERATIONS.updateMember.path, { userId, role });
}

export function removeMember(userId: string): Promise<Result<RemoveMemberData>> {
  return post(OPERATIONS.removeMember.path, { userId });
}
