/**
 * Authentication by `X-Process-Manager-Key` or, for the dashboard, by its session cookie
 * (which stands for the key it was opened with, or for a person signed in by code). Every
 * failure — missing header, bad format or checksum (refused without touching the store),
 * unknown, revoked or expired key, a key of another kind, a creating user who left the
 * organization, a dead session — is the same 401 UNAUTHENTICATED, so nothing can be learned
 * from the difference.
 *
 * Inside the server the failures differ in one respect: a credential that does not exist
 * (malformed, wrong checksum, another kind, unknown hash, unknown or expired session) is a
 * *guess*, counted by the brute-force throttle (auth-throttle.ts); a key that exists but may
 * not be used (revoked, expired, its user gone) is a known key — a forgotten cron job, not an
 * attacker — and is answered 401 without counting; no credential at all guesses nothing.
 */
import { parseKey } from '@codika/contract/keys';
import { API_KEY_HEADER } from '@codika/contract/operations';
import type { FastifyRequest } from 'fastify';
import { scopesForRole } from '../accounts/minting.js';
import { iso } from '../clock.js';
import { hashKey } from '../secrets.js';
import type { AuthRecord, Store } from '../store/types.js';
import { ipAllowed } from './allowlist.js';
import { USER_AGENT_MAX } from './audit.js';
import { ApiError } from './errors.js';
import type { Caller, KeyCaller } from './request-state.js';
import { checkCsrf, hashSessionId, isSessionIdShape, sessionIdOf } from './session.js';

/** The contract's API_KEY_HEADER in lower case, as Node exposes incoming header names. */
export const API_KEY_HEADER_NAME = API_KEY_HEADER.toLowerCase();

const GUESSES = new WeakSet<ApiError>();

/** Mark an error as a guess, counted by the brute-force throttle (also a wrong e-mailed code). */
export function asCredentialGuess(error: ApiError): ApiError {
  GUESSES.add(error);
  return error;
}

/** The 401 for a credential that does not exist: counted as a guess. */
function unknownCredential(): ApiError {
  return asCredentialGuess(new ApiError('UNAUTHENTICATED'));
}

/** True for the 401 of a credential that does not exist (see the module comment). */
export function isCredentialGuess(error: unknown): boolean {
  return error instanceof ApiError && GUESSES.has(error);
}

export interface AuthOptions {
  store: Store;
  lastUsedIntervalMs: number;
  /** How long the request waits for its key's last-use write (default TOUCH_WAIT_MS). */
  lastUsedWaitMs?: number;
  /**
   * The request: the client address (the TCP peer, or X-Forwarded-For through the proxies
   * --trust-proxy names: Fastify's request.ip) judged by a key's allowlist, and what a refusal's
   * audit row records.
   */
  client: { ip: string | undefined; requestId: string; userAgent: string | null };
}

/** The client part of AuthOptions for a request. */
export function clientOf(request: FastifyRequest): AuthOptions['client'] {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    requestId: request.id,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, USER_AGENT_MAX) : null,
  };
}

export async function authenticate(
  header: string | string[] | undefined,
  now: Date,
  options: AuthOptions,
  onTouchError: (err: unknown) => void,
): Promise<KeyCaller> {
  if (typeof header !== 'string') throw new ApiError('UNAUTHENTICATED');
  const raw = header.trim();
  if (raw === '') throw new ApiError('UNAUTHENTICATED');
  const parsed = parseKey(raw);
  if (!parsed.ok || parsed.kind !== 'cko_') throw unknownCredential();
  return admit(await options.store.findAuthByHash(hashKey(raw)), now, options, onTouchError);
}

/**
 * A dashboard session: the opaque id of the `codika_session` cookie, looked up by its hash.
 * A key's session resolves to the auth record of the key it was opened with, which is then
 * judged exactly like a key presented in the header (live, not expired, its user still a
 * member). A person's session (signed in by e-mailed code) resolves to the user in the
 * organization they chose, with their role there *now* and the scopes of that role; no
 * organization chosen yet, or no longer a member: 401 like any dead session.
 */
export async function authenticateSession(
  sessionId: string,
  now: Date,
  options: AuthOptions,
  onTouchError: (err: unknown) => void,
): Promise<Caller> {
  if (!isSessionIdShape(sessionId)) throw unknownCredential();
  const idHash = hashSessionId(sessionId);
  const auth = await options.store.findAuthBySession(idHash, iso(now));
  if (auth !== undefined) return admit(auth, now, options, onTouchError);
  const person = await options.store.findUserBySession(idHash, iso(now));
  if (person === undefined) throw unknownCredential();
  if (person.organization === null || person.role === null) throw new ApiError('UNAUTHENTICATED');
  const { user, organization, role } = person;
  return { key: null, scopes: scopesForRole(role), organization, user, role };
}

/**
 * The one authentication step of every authenticated route. The key header wins when
 * present (the CLI and other API clients); otherwise a session cookie is accepted once the
 * request passes the CSRF rule (403 before any lookup); otherwise 401.
 */
export async function authenticateRequest(
  request: FastifyRequest,
  now: Date,
  options: AuthOptions,
  onTouchError: (err: unknown) => void,
): Promise<Caller> {
  const header = request.headers[API_KEY_HEADER_NAME];
  if (header !== undefined) return authenticate(header, now, options, onTouchError);
  const sessionId = sessionIdOf(request);
  if (sessionId !== undefined && sessionId !== '') {
    checkCsrf(request);
    return authenticateSession(sessionId, now, options, onTouchError);
  }
  throw new ApiError('UNAUTHENTICATED');
}

/** Judge an auth record found by key hash or session: the same rules for both. */
async function admit(
  auth: AuthRecord | undefined,
  now: Date,
  options: AuthOptions,
  onTouchError: (err: unknown) => void,
): Promise<KeyCaller> {
  if (auth === undefined) throw unknownCredential();
  const { key, organization, user, role } = auth;
  const nowMs = now.getTime();
  if (key.revokedAt !== null) throw new ApiError('UNAUTHENTICATED');
  if (key.expiresAt !== null && Date.parse(key.expiresAt) <= nowMs) throw new ApiError('UNAUTHENTICATED');
  if (role === null) throw new ApiError('UNAUTHENTICATED');
  // A rotation's previous secret works until its grace period ends, judged here against this
  // request's clock — also for a record the auth cache kept — so it is refused from that very instant.
  const previousEndsAt = key.previousSecretExpiresAt;
  if (auth.secret === 'previous' && (previousEndsAt === null || Date.parse(previousEndsAt) <= nowMs)) {
    throw new ApiError('UNAUTHENTICATED');
  }
  if (key.disabledAt !== null) throw new ApiError('UNAUTHENTICATED');
  if (key.allowedIps !== null && !ipAllowed(key.allowedIps, options.client.ip)) {
    // The same 401 as any refusal; the key's organization sees the attempt and its address.
    await options.store
      .appendAudit({
        at: iso(now),
        requestId: options.client.requestId,
        action: 'key.use_denied',
        result: 'denied',
        reason: 'IP_NOT_ALLOWED',
        actorKeyId: key.id,
        actorUserId: user.id,
        organizationId: organization.id,
        targetKeyId: key.id,
        before: null,
        after: null,
        sourceIp: options.client.ip ?? null,
        userAgent: options.client.userAgent,
      })
      .catch(onTouchError);
    throw new ApiError('UNAUTHENTICATED');
  }

  // Record the use at most once per interval: no write on every request.
  const staleBeforeMs = nowMs - options.lastUsedIntervalMs;
  if ((key.lastUsedAt === null || Date.parse(key.lastUsedAt) < staleBeforeMs) && !touching.has(key.id)) {
    const keyId = key.id;
    touching.add(keyId);
    const ip = options.client.ip || null;
    const touched = options.store.touchLastUsed(keyId, iso(now), iso(new Date(staleBeforeMs)), ip).then(
      () => true,
      (err: unknown) => {
        // Bookkeeping only: a failed last-use write must not refuse a valid caller.
        onTouchError(err);
        return false;
      },
    );
    void touched.finally(() => touching.delete(keyId));
    // The write usually takes well under a millisecond; when the database is locked or slow,
    // the caller is answered without waiting for it (it completes, or fails and is logged,
    // in the background; one at a time per key).
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<null>((resolve) => {
      timer = setTimeout(resolve, options.lastUsedWaitMs ?? TOUCH_WAIT_MS, null);
    });
    const done = await Promise.race([touched, gaveUp]);
    clearTimeout(timer);
    if (done === true) {
      key.lastUsedAt = iso(now);
      key.lastUsedIp = ip;
    }
  }
  const caller: KeyCaller = { key, scopes: key.scopes, organization, user, role };
  if (auth.secret === 'previous' && previousEndsAt !== null) caller.previousSecretExpiresAt = previousEndsAt;
  return caller;
}

/** How long a request waits for the last-use write of its key before it is answered anyway (ms). */
export const TOUCH_WAIT_MS = 20;
/** Keys whose last-use write is in flight (at most one at a time per key). */
const touching = new Set<string>();
