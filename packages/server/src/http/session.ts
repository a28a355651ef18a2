/**
 * Dashboard sessions: the cookie, its opaque id and the CSRF rule for cookie-authenticated
 * requests. The id is 32 random bytes (base64url); the store keeps only its SHA-256, so a
 * copy of the database does not yield usable sessions. A session resolves, in the one
 * authentication step (auth.ts), to the auth record of the key it was opened with.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CSRF_HEADER } from '@codika/contract/dashboard';
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

export const SESSION_COOKIE = 'codika_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** The contract's CSRF_HEADER in lower case, as Node exposes incoming header names. */
export const CSRF_HEADER_NAME = CSRF_HEADER.toLowerCase();

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

export function hashSessionId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

export function isSessionIdShape(id: string): boolean {
  return SESSION_ID_PATTERN.test(id);
}

/** The value of one cookie in a Cookie header, undefined when absent. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session id a request carries (its cookie), undefined when it carries none. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  return readCookie(request.headers.cookie, SESSION_COOKIE);
}

/**
 * Whether the browser is on https: the server itself serves TLS, or (behind a proxy that
 * terminates TLS) the page's Origin is https. Decides the cookie's Secure attribute.
 */
export function isHttps(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.headers.origin?.startsWith('https://') === true;
}

export function sessionCookie(id: string, options: { secure: boolean; maxAgeMs?: number }): string {
  const maxAge = Math.floor((options.maxAgeMs ?? SESSION_TTL_MS) / 1000);
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(options: { secure: boolean }): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict${
    options.secure ? '; Secure' : ''
  }`;
}

/**
 * Whether an Origin header names this server: an http or https origin whose host (and port)
 * is the Host the request was addressed to. The scheme is not compared, so the check also
 * holds behind a proxy that terminates TLS (and forwards the Host header).
 */
export function isOwnOrigin(request: FastifyRequest, origin: string): boolean {
  const host = request.headers.host;
  if (host === undefined || host === '') return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}

/**
 * The CSRF rule of cookie-authenticated requests (and of sign-in): the X-Codika-CSRF header
 * must be present, an Origin header (when sent) must name this server, and a
 * browser's Sec-Fetch-Site (when sent) must not say the request comes from another site or
 * origin. Otherwise 403 CSRF_REJECTED, before the session is even looked up.
 */
export function checkCsrf(request: FastifyRequest): void {
  const marker = request.headers[CSRF_HEADER_NAME];
  if (typeof marker !== 'string' || marker.trim() === '') throw new ApiError('CSRF_REJECTED');
  const origin = request.headers.origin;
  if (origin !== undefined && !isOwnOrigin(request, origin)) throw new ApiError('CSRF_REJECTED');
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new ApiError('CSRF_REJECTED');
}
