/**
 * What the dashboard's session endpoints share: opening a session (the cookie, the stored hash,
 * the sweep of expired rows), and what a session is, as the page is told (schemas in the
 * contract's dashboard-schemas.ts):
 *
 *   a key's session        → `{ signedIn: true, …/verifyapikey data }` (type 'org-api-key')
 *   a person's session     → `{ signedIn: true, type: 'user', userId, email, role,
 *                              organizationId, organizationName, scopes }`
 *   a person who signed in by code and has several organizations, none chosen yet
 *                          → `{ signedIn: false, chooseOrganization: { email, organizations } }`
 */
import type { ChooseOrganization, DashboardData, OrganizationChoice, UserSessionData } from '@codika/contract/dashboard-schemas';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { iso } from '../clock.js';
import type { Caller, UserCaller } from '../http/request-state.js';
import {
  hashSessionId,
  isHttps,
  isSessionIdShape,
  newSessionId,
  SESSION_TTL_MS,
  sessionCookie,
  sessionIdOf,
} from '../http/session.js';
import type { NewSessionInput, Store } from '../store/types.js';
import { verifyData } from './verify-api-key.js';

export function userSessionData(caller: UserCaller): UserSessionData {
  return {
    type: 'user',
    userId: caller.user.id,
    email: caller.user.email,
    role: caller.role,
    organizationId: caller.organization.id,
    organizationName: caller.organization.name,
    scopes: [...caller.scopes],
  };
}

/** The `{ signedIn: true, … }` answer for an authenticated session of either kind. */
export function signedInData(caller: Caller): DashboardData<'sessionCurrent'> {
  return caller.key === null ? { signedIn: true, ...userSessionData(caller) } : { signedIn: true, ...verifyData(caller) };
}

/**
 * Open a session for the browser: replaces the browser's previous session, stores only the
 * id's hash, sweeps expired rows, and sets the cookie on the reply.
 */
export async function openSession(
  request: FastifyRequest,
  reply: FastifyReply,
  store: Store,
  actor: { keyId: string } | { userId: string; organizationId: string | null },
): Promise<void> {
  const now = request.state.now;
  const previous = sessionIdOf(request);
  if (previous !== undefined) await store.deleteSession(hashSessionId(previous));
  const id = newSessionId();
  const times = { idHash: hashSessionId(id), createdAt: iso(now), expiresAt: iso(new Date(now.getTime() + SESSION_TTL_MS)) };
  const input: NewSessionInput = 'keyId' in actor ? { ...times, keyId: actor.keyId } : { ...times, ...actor };
  await store.createSession(input);
  try {
    await store.deleteExpiredSessions(iso(now));
  } catch (err) {
    request.log.warn({ err }, 'could not delete expired sessions');
  }
  reply.header('set-cookie', sessionCookie(id, { secure: isHttps(request) })).header('cache-control', 'no-store');
}

/** The organizations a user may choose from, as the page lists them. */
export async function organizationChoices(store: Store, userId: string): Promise<OrganizationChoice[]> {
  return (await store.listUserOrganizations(userId)).map(({ id, name, role }) => ({
    organizationId: id,
    organizationName: name,
    role,
  }));
}

/**
 * When the request's session is a person's that has no organization yet: who they are and
 * the organizations to choose from. Undefined for any other session (or none).
 */
export async function pendingChoice(store: Store, request: FastifyRequest): Promise<ChooseOrganization | undefined> {
  const id = sessionIdOf(request);
  if (id === undefined || !isSessionIdShape(id)) return undefined;
  const person = await store.findUserBySession(hashSessionId(id), iso(request.state.now));
  if (person === undefined || person.organization !== null) return undefined;
  return { email: person.user.email, organizations: await organizationChoices(store, person.user.id) };
}
