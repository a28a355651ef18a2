import { useEffect, useState } from 'preact/hooks';
import { type ApiError, inactiveKeys, type Key, listKeys } from '../api.js';
import { CopyButton, ErrorBox, PageTitle, ScopeList, Time } from '../components.js';
import { daysText, expiresInDays, formatTime, hrefOf, isExpired, unusedDays } from '../logic.js';
import { type PageProps, sessionKeyId } from '../router.js';

export function KeysPage({ session }: PageProps) {
  const [keys, setKeys] = useState<Key[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [showInactive, setShowInactive] = useState(false);
  const [inactive, setInactive] = useState<Key[] | undefined>();

  useEffect(() => {
    let live = true;
    void listKeys(session.organizationId).then((res) => {
      if (!live) return;
      if (res.ok) setKeys(res.data.keys);
      else setError(res.error);
    });
    return () => {
      live = false;
    };
  }, [session.organizationId]);

  async function toggleInactive(on: boolean) {
    setShowInactive(on);
    if (on && inactive === undefined) {
      const res = await inactiveKeys();
      if (res.ok) setInactive(res.data.keys);
      else setError(res.error);
    }
  }

  const shown = [...(keys ?? []), ...(showInactive ? (inactive ?? []) : [])];

  return (
    <section>
      <div class="page-head">
        <PageTitle>API keys of {session.organizationName}</PageTitle>
        <a class="button" href="#/create">
          Create key
        </a>
      </div>
      {error && (
        <ErrorBox error={error}>
          {error.code === 'INSUFFICIENT_SCOPE' && (
            <p>The key you signed in with does not hold api-keys:manage, so it cannot list or change keys.</p>
          )}
          {error.code === 'NOT_ORG_ADMIN' && (
            <p>The user behind the key you signed in with is not an admin or owner of this organization.</p>
          )}
        </ErrorBox>
      )}
      {!keys && !error && <p class="muted">Loading keys…</p>}
      {keys && (
        <>
          <div class="toolbar">
            <p class="muted" data-testid="key-count">
              {keys.length} live {keys.length === 1 ? 'key' : 'keys'}
              {showInactive && inactive && `, ${inactive.length} revoked or expired`}
            </p>
            <div class="check">
              <input
                id="show-inactive"
                type="checkbox"
                checked={showInactive}
                onChange={(e) => void toggleInactive(e.currentTarget.checked)}
              />
              <label for="show-inactive">Show revoked and expired keys</label>
            </div>
          </div>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
          <section class="table-wrap" tabIndex={0} aria-label="API keys">
            <table class="keys">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key id and prefix</th>
                  <th scope="col">Scopes</th>
                  <th scope="col">Dates</th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((k) => (
                  <tr key={k.keyId} data-key-id={k.keyId} class={k.revokedAt || isExpired(k.expiresAt) ? 'inactive' : undefined}>
                    <td>
                      <strong class="key-name">{k.name}</strong>
                      {k.keyId === sessionKeyId(session) && <span class="badge">this session</span>}
                      {k.revokedAt && <span class="badge danger">revoked</span>}
                      {!k.revokedAt && isExpired(k.expiresAt) && <span class="badge danger">expired</span>}
                      {!k.revokedAt && !isExpired(k.expiresAt) && <UsageBadges k={k} />}
                      {k.enabled === false && <span class="badge danger">disabled</span>}
                      {k.previousSecretExpiresAt && (
                        <span class="badge" title={`The old secret works until ${formatTime(k.previousSecretExpiresAt)}`}>
                          rotating
                        </span>
                      )}
                      {k.description && <div class="muted small desc">{k.description}</div>}
                      {k.allowedIps && <div class="muted small allowed-ips">Allowed from {k.allowedIps.join(', ')}</div>}
                    </td>
                    <td class="id-cell">
                      <span class="nowrap">
                        <code class="key-id">{k.keyId}</code>{' '}
                        <CopyButton text={k.keyId} what="key id" label={`Copy key id of ${k.name}`} />
                      </span>
                      <div class="muted small">
                        prefix <code>{k.keyPrefix}…</code>
                      </div>
                    </td>
                    <td class="scopes">
                      <ScopeList scopes={k.scopes} />
                    </td>
                    <td class="dates">
                      <dl class="dates">
                        <dt>Created</dt>
                        <dd>
                          <Time iso={k.createdAt} />
                        </dd>
                        <dt>Last used</dt>
                        <dd>
                          <Time iso={k.lastUsedAt} empty="never" />
                        </dd>
                        <dt>Expires</dt>
                        <dd>
                          <Time iso={k.expiresAt} empty="never" />
                        </dd>
                      </dl>
                    </td>
                    <td class="row-actions">
                      {!k.revokedAt && !isExpired(k.expiresAt) && (
                        <a href={hrefOf({ page: 'edit', keyId: k.keyId })} aria-label={`Edit ${k.name}`}>
                          Edit
                        </a>
                      )}
                      <a href={hrefOf({ page: 'history', keyId: k.keyId })} aria-label={`History of ${k.name}`}>
                        History
                      </a>
                      {!k.revokedAt && !isExpired(k.expiresAt) && (
                        <a class="danger" href={hrefOf({ page: 'revoke', keyId: k.keyId })} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </a>
                      )}
                    </td>
                  </tr>
                ))}
                {shown.length === 0 && (
                  <tr>
                    <td colSpan={5} class="muted">
                      No keys.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}

/** "unused for N days" (from 30 days without a use) and "expires in N days" (from 14 days before) on a live key. */
function UsageBadges({ k }: { k: Key }) {
  const unused = unusedDays(k);
  const expiring = expiresInDays(k.expiresAt);
  return (
    <>
      {unused !== undefined && (
        <span class="badge warn" data-testid="badge-unused" title={k.lastUsedIp ? `last used from ${k.lastUsedIp}` : undefined}>
          unused for {daysText(unused)}
        </span>
      )}
      {expiring !== undefined && (
        <span class="badge warn" data-testid="badge-expiring">
          expires in {daysText(expiring)}
        </span>
      )}
    </>
  );
}
