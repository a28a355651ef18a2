import type { ChooseOrganization } from '@codika/contract/dashboard-schemas';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { currentSession, setUnauthenticatedHandler, signOut } from './api.js';
import { LiveRegion, say } from './components.js';
import { parseRoute } from './logic.js';
import { CreateKeyPage } from './pages/create.js';
import { EditKeyPage } from './pages/edit.js';
import { HistoryPage } from './pages/history.js';
import { KeysPage } from './pages/keys.js';
import { MembersPage } from './pages/members.js';
import { MyKeysPage } from './pages/my-keys.js';
import { RevokeKeyPage } from './pages/revoke.js';
import { SignInPage } from './pages/sign-in.js';
import { mayManage, navigate, type PageProps, type Session, useRoute } from './router.js';

export function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null | 'loading'>('loading');
  const [notice, setNotice] = useState<string | undefined>();
  const [choose, setChoose] = useState<ChooseOrganization | undefined>();
  /** Bumped by a "Create key" link followed while on the create page: a fresh form. */
  const [createRun, setCreateRun] = useState(0);

  useEffect(() => {
    // On #/create (say, showing the key just created) a link to #/create changes no hash, so
    // nothing would happen: start a fresh form instead.
    const onClick = (e: MouseEvent) => {
      const link = e.target instanceof Element ? e.target.closest('a[href="#/create"]') : null;
      if (link && parseRoute(window.location.hash).page === 'create') setCreateRun((n) => n + 1);
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, []);

  const refreshSession = useCallback(async () => {
    const res = await currentSession();
    if (res.ok && res.data.signedIn) {
      const { signedIn: _signedIn, ...data } = res.data;
      setSession(data);
    } else {
      // A person who signed in by code and has yet to choose an organization (after a reload).
      setChoose(res.ok && !res.data.signedIn ? res.data.chooseOrganization : undefined);
      setSession(null);
    }
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setSession((current) => {
        if (current !== null && current !== 'loading') {
          setNotice(
            'Your session has ended (it expired, was signed out, its key was revoked or expired, or your membership ended). Sign in again.',
          );
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
          key={choose ? 'choose' : 'start'}
          notice={notice}
          choose={choose}
          onSignedIn={(s) => {
            setNotice(undefined);
            setChoose(undefined);
            setSession(s);
            if (parseRoute(window.location.hash).page !== 'keys') navigate({ page: 'keys' });
          }}
        />
        <LiveRegion />
      </>
    );
  }

  const props: PageProps = { session, refreshSession };
  const current = route.page === 'keys' || route.page === 'create' || route.page === 'members' ? route.page : '';
  // A member signed in by code sees and revokes only the keys they created.
  const ownKeysOnly = session.type === 'user' && session.role === 'member';
  const manage = mayManage(session);

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
          {!ownKeysOnly && (
            <a href="#/create" aria-current={current === 'create' ? 'page' : undefined}>
              Create key
            </a>
          )}
          {manage && (
            <a href="#/members" aria-current={current === 'members' ? 'page' : undefined}>
              Members
            </a>
          )}
        </nav>
        <LiveRegion />
        <div class="who">
          <span>
            <strong data-testid="org-name">{session.organizationName}</strong>
            {session.type === 'user' ? (
              <span class="muted">
                {' '}
                · signed in as <span data-testid="session-user">{session.email}</span> ({session.role})
              </span>
            ) : (
              <span class="muted">
                {' '}
                · signed in with <span data-testid="session-key">{session.keyName}</span> (<code>{session.keyPrefix}…</code>)
              </span>
            )}
          </span>
          <button
            type="button"
            class="secondary"
            onClick={async () => {
              await signOut();
              setChoose(undefined);
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
        {route.page === 'keys' && (ownKeysOnly ? <MyKeysPage {...props} /> : <KeysPage {...props} />)}
        {route.page === 'members' && <MembersPage {...props} />}
        {route.page === 'create' && <CreateKeyPage {...props} key={`create-${createRun}`} />}
        {route.page === 'edit' && <EditKeyPage {...props} keyId={route.keyId} key={`edit-${route.keyId}`} />}
        {route.page === 'revoke' && <RevokeKeyPage {...props} keyId={route.keyId} key={`revoke-${route.keyId}`} />}
        {route.page === 'history' && <HistoryPage {...props} keyId={route.keyId} key={`history-${route.keyId}`} />}
      </main>
    </>
  );
}
