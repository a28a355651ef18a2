import { useEffect, useState } from 'preact/hooks';
import { type ApiError, type Key, myKeys, revokeMyKey } from '../api.js';
import { CopyButton, ErrorBox, FocusHeading, PageTitle, ScopeList, say, Time } from '../components.js';
import type { PageProps } from '../router.js';

/**
 * A member signed in by e-mailed code: the keys they created in this organization, and revoking
 * them. The server answers only those (/dashboard/api/my-keys); the other keys are an admin's.
 */
export function MyKeysPage({ session }: PageProps) {
  const [keys, setKeys] = useState<Key[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [confirm, setConfirm] = useState<Key | undefined>();
  const [busy, setBusy] = useState(false);

  async function load() {
    const res = await myKeys();
    if (res.ok) setKeys(res.data.keys);
    else setError(res.error);
  }
  useEffect(() => void load(), []);

  async function revoke(key: Key) {
    setBusy(true);
    setError(undefined);
    const res = await revokeMyKey(key.keyId);
    setBusy(false);
    if (!res.ok) return setError(res.error);
    setConfirm(undefined);
    say(`Revoked ${key.name}`);
    await load();
  }

  return (
    <section>
      <PageTitle>Your API keys in {session.organizationName}</PageTitle>
      <p class="muted">
        As a member you see and can revoke the keys you created here. An admin or owner manages the organization's other keys and
        its members.
      </p>
      {error && <ErrorBox error={error} />}
      {confirm && (
        <section class="card" aria-labelledby="confirm-title" key={confirm.keyId}>
          <FocusHeading id="confirm-title">Revoke {confirm.name}?</FocusHeading>
          <p class="warning">
            The key <code>{confirm.keyPrefix}…</code> stops working at once, everywhere it is used. This cannot be undone.
          </p>
          <div class="actions">
            <button type="button" class="danger" disabled={busy} onClick={() => revoke(confirm)}>
              {busy ? 'Revoking…' : 'Revoke key'}
            </button>
            <button type="button" class="secondary" onClick={() => setConfirm(undefined)}>
              Cancel
            </button>
          </div>
        </section>
      )}
      {!keys && !error && <p class="muted">Loading keys…</p>}
      {keys && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <section class="table-wrap" tabIndex={0} aria-label="Your API keys">
          <table class="keys">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key id</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.keyId} data-key-id={k.keyId}>
                  <td>
                    <strong class="key-name">{k.name}</strong> <code class="muted">{k.keyPrefix}…</code>
                    {k.description && <div class="muted small desc">{k.description}</div>}
                  </td>
                  <td class="nowrap">
                    <code class="key-id">{k.keyId}</code>{' '}
                    <CopyButton text={k.keyId} what="key id" label={`Copy key id of ${k.name}`} />
                  </td>
                  <td class="scopes">
                    <ScopeList scopes={k.scopes} />
                  </td>
                  <td class="dates">
                    <Time iso={k.createdAt} />
                  </td>
                  <td class="dates">
                    <Time iso={k.lastUsedAt} empty="never" />
                  </td>
                  <td class="dates">
                    <Time iso={k.expiresAt} empty="never" />
                  </td>
                  <td class="row-actions">
                    <button type="button" class="secondary" aria-label={`Revoke ${k.name}`} onClick={() => setConfirm(k)}>
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
              {keys.length === 0 && (
                <tr>
                  <td colSpan={7} class="muted">
                    You have no live keys here.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
