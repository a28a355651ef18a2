/**
 * Dashboard sessions for route tests: a person's session (as e-mailed-code sign-in opens it)
 * written straight into the store, and the request options that present a session cookie.
 */
import { hashSessionId, newSessionId, SESSION_TTL_MS } from '../http/session.js';
import type { CallOptions, TestApp } from './http.js';

export const CSRF = { 'x-codika-csrf': '1' } as const;

/** Open a person's session (organization null: none chosen yet); returns the cookie's session id. */
export async function openUserSession(t: TestApp, userId: string, organizationId: string | null): Promise<string> {
  const id = newSessionId();
  const now = t.clock.now();
  await t.store.createSession({
    idHash: hashSessionId(id),
    userId,
    organizationId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
  });
  return id;
}

/** Call with a session cookie (and, unless told otherwise, the CSRF header). */
export function withSession(id: string, headers: Record<string, string> = CSRF): CallOptions {
  return { headers: { cookie: `codika_session=${id}`, ...headers } };
}
