import { useCallback, useEffect, useState } from 'preact/hooks';
import { currentSession, setUnauthenticatedHandler, signOut } from './api.js';
import { LiveRegion, say } from './components.js';
import { parseRoute } from './logic.js';
import { CreateKeyPage } from './pages/create.js';
import { EditKeyPage } from './pages/edit.js';
import { HistoryPage } from './pages/history.js';
import { KeysPage } from './pages/keys.js';
import { RevokeKeyPage } from './pages/revoke.js';
import { SignInPage } from './pages/sign-in.js';
import { navigate, type PageProps, type Session, useRoute } from './router.js';

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null | 'loading'>('loading');
  const [notice, setNotice] = useState<string | undefined>();

  const refreshSession = useCallback(async () => {
    const res = await currentSession();
    if (res.ok && res.data.signedIn) {
      const { signedIn: _signedIn, ...data } = res.data;
      setSession(data);
    } else setSession(null);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setSession((current) => {
        if (current !== null && current !== 'loading') {
          setNotice('Your session has ended (it expired, was signed out, or its key was revoked or expired). Sign in again.');
        }
        return null;
      });
    });
    void refreshSession();
  }, [refreshSession]);

  if (session === 'loading') {
    return (
      <main class="center">
        <p class="muted">Loading…</p>
      </main>
    );
  }

  if (session === null) {
    return (
      <>
        <SignInPage
          notice={notice}
          onSignedIn={(s) => {
            setNotice(undefined);
            setSession(s);
            if (parseRoute(window.location.hash).page !== 'keys') navigate({ page: 'keys' });
          }}
        />
        <LiveRegion />
      </>
    );
  }

  const props: PageProps = { session, refreshSession };
  const current = route.page === 'keys' || route.page === 'create' ? route.page : '';

  return (
    <>
      <header class="top">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          codika
        </div>
        <nav aria-label="Main">
          <a href="#/keys" aria-current={current === 'keys' ? 'page' : undefined}>
            Keys
          </a>
          <a href="#/create" aria-current={current === 'create' ? 'page' : undefined}>
            Create key
          </a>
        </nav>
        <div class="who">
          <span>
            <strong data-testid="org-name">{session.organizationName}</strong>
            <span class="muted">
              {' '}
              · signed in with <span data-testid="session-key">{session.keyName}</span> (<code>{session.keyPrefix}…</code>)
            </span>
          </span>
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              await signOut();
              setNotice('You are signed out.');
              setSession(null);
              say('Signed out');
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main">
        {route.page === 'keys' && <KeysPage {...props} />}
        {route.page === 'create' && <CreateKeyPage {...props} />}
        {route.page === 'edit' && <EditKeyPage {...props} keyId={route.keyId} key={`edit-${route.keyId}`} />}
        {route.page === 'revoke' && <RevokeKeyPage {...props} keyId={route.keyId} key={`revoke-${route.keyId}`} />}
        {route.page === 'history' && <HistoryPage {...props} keyId={route.keyId} key={`history-${route.keyId}`} />}
      </main>
      <LiveRegion />
    </>
  );
}
