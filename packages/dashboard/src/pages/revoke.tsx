import { useEffect, useState } from 'preact/hooks';
import { type ApiError, getKey, type Key, revokeKey } from '../api.js';
import { ErrorBox, PageTitle, ScopeList, say, Time } from '../components.js';
import { navigate, type PageProps } from '../router.js';

export function RevokeKeyPage({ session, refreshSession, keyId }: PageProps & { keyId: string }) {
  const [key, setKey] = useState<Key | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void getKey(keyId).then((res) => (res.ok ? setKey(res.data) : setError(res.error)));
  }, [keyId]);

  async function revoke() {
    if (!key) return;
    setBusy(true);
    const res = await revokeKey(key.keyId);
    setBusy(false);
    if (!res.ok) {
      setError(res.error);
      return;
    }
    say(`Revoked ${key.name}`);
    if (key.keyId === session.keyId) {
      // The session's own key stops authenticating at once: this ends the session.
      await refreshSession();
      return;
    }
    navigate({ page: 'keys' });
  }

  // The heading mounts once (it takes focus when it does): not while loading.
  if (!key && !error) return <p class="muted">Loading key…</p>;
  if (!key) {
    return (
      <section>
        <PageTitle>Revoke key</PageTitle>
        {error && <ErrorBox error={error} />}
        <p>
          <a href="#/keys">Back to keys</a>
        </p>
      </section>
    );
  }

  const isSelf = key.keyId === session.keyId;
  return (
    <section>
      <PageTitle>Revoke {key.name}?</PageTitle>
      <div class="card">
        <dl class="facts">
          <dt>Key id</dt>
          <dd>
            <code class="key-id">{key.keyId}</code>
          </dd>
          <dt>Prefix</dt>
          <dd>
            <code>{key.keyPrefix}…</code>
          </dd>
          <dt>Scopes</dt>
          <dd>
            <ScopeList scopes={key.scopes} />
          </dd>
          <dt>Last used</dt>
          <dd>
            <Time iso={key.lastUsedAt} empty="never" />
          </dd>
        </dl>
        <p class="warning">
          The key stops working at once, everywhere it is used. This cannot be undone.
          {isSelf && ' It is the key this session is signed in with: you will be signed out.'}
        </p>
        {error && <ErrorBox error={error} />}
        <div class="actions">
          <button type="button" class="danger" disabled={busy} onClick={revoke}>
            {busy ? 'Revoking…' : 'Revoke key'}
          </button>
          <a class="button secondary" href="#/keys">
            Cancel
          </a>
        </div>
      </div>
    </section>
  );
}
