/**
 * Between the app and its pages: the route in the URL hash (read by the app, changed by a
 * page with `navigate`) and what every page is given. The pages import this, never app.tsx,
 * so the app → pages imports run one way.
 */
import type { UserSessionData } from '@codika/contract/dashboard-schemas';
import type { VerifyApiKeyData } from '@codika/contract/schemas';
import { useEffect, useState } from 'preact/hooks';
import { hrefOf, parseRoute, type Route } from './logic.js';

/**
 * Who is signed in: a key (as /verifyapikey describes it), or a person signed in by e-mailed
 * code (type 'user', with their role in the organization they chose).
 */
export type Session = VerifyApiKeyData | UserSessionData;

/** The key the session is signed in with; undefined for a person signed in by code. */
export function sessionKeyId(session: Session): string | undefined {
  return session.type === 'user' ? undefined : session.keyId;
}

/**
 * Whether the session may manage the organization's keys and members. A person's role says so
 * (owner, admin); for a key only the server knows the creator's role, so the pages ask and show
 * its answer. The server judges every request either way: this only hides what it would refuse.
 */
export function mayManage(session: Session): boolean {
  return session.type === 'user' ? session.role !== 'member' : session.scopes.includes('api-keys:manage');
}

export interface PageProps {
  session: Session;
  /** Re-read the signed-in key (after editing or revoking it). */
  refreshSession: () => Promise<void>;
}

export function navigate(route: Route): void {
  window.location.hash = hrefOf(route);
}

/** The current route, following the hash as it changes. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
