/**
 * Between the app and its pages: the route in the URL hash (read by the app, changed by a
 * page with `navigate`) and what every page is given. The pages import this, never app.tsx,
 * so the app → pages imports run one way.
 */
import type { VerifyApiKeyData } from '@codika/contract/schemas';
import { useEffect, useState } from 'preact/hooks';
import { hrefOf, parseRoute, type Route } from './logic.js';

/** The signed-in key, as /verifyapikey describes it. */
export type Session = VerifyApiKeyData;

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
