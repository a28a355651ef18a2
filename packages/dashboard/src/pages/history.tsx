import { useEffect, useState } from 'preact/hooks';
import { type ApiError, type AuditEntry, auditOf, getKey, type Key, listKeys } from '../api.js';
import { ErrorBox, PageTitle, Time } from '../components.js';
import { auditChanges } from '../logic.js';
import type { PageProps } from '../router.js';

export function HistoryPage({ keyId }: PageProps & { keyId: string }) {
  const [key, setKey] = useState<Key | undefined>();
  const [entries, setEntries] = useState<AuditEntry[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [names, setNames] = useState<{ keys: Map<string, string>; users: Map<string, string> }>({
    keys: new Map(),
    users: new Map(),
  });

  useEffect(() => {
    // A revoked key is not found by getKey, yet its history is still there: the title falls back to the id.
    void getKey(keyId).then((res) => res.ok && setKey(res.data));
    void auditOf(keyId).then((res) => (res.ok ? setEntries(res.data.entries) : setError(res.error)));
    // Names for the ids in the rows, where the live keys tell them.
    void listKeys().then((res) => {
      if (!res.ok) return;
      setNames({
        keys: new Map(res.data.keys.map((k) => [k.keyId, k.name])),
        users: new Map(res.data.keys.map((k) => [k.createdBy.userId, k.createdBy.email])),
      });
    });
  }, [keyId]);

  return (
    <section>
      <PageTitle>History of {key ? key.name : 'key'}</PageTitle>
      <p class="muted">
        Key id <code class="key-id">{keyId}</code> · <a href="#/keys">Back to keys</a>
      </p>
      {error && <ErrorBox error={error} />}
      {!entries && !error && <p class="muted">Loading history…</p>}
      {entries && entries.length === 0 && <p>No recorded changes.</p>}
      {entries && entries.length > 0 && (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <section class="table-wrap" tabIndex={0} aria-label="History">
          <table class="history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Result</th>
                <th scope="col">Changes</th>
                <th scope="col">Who</th>
                <th scope="col">From</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => {
                const changes = auditChanges(e.before, e.after);
                const tone = e.result === 'allowed' ? 'ok' : e.result === 'denied' ? 'danger' : '';
                return (
                  <tr key={e.id}>
                    <td>
                      <Time iso={e.at} />
                    </td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>
                      <span class={`badge ${tone}`}>{e.result === 'dry_run' ? 'preview' : e.result}</span>
                      {e.reason && <div class="small">{e.reason}</div>}
                    </td>
                    <td>
                      {changes.length > 0 && e.result !== 'allowed' && (
                        <div class="small muted">{e.result === 'denied' ? 'Tried (refused):' : 'Previewed (not saved):'}</div>
                      )}
                      {changes.length === 0 ? (
                        <span class="muted">—</span>
                      ) : (
                        <ul class="plain">
                          {changes.map((c) => (
                            <li key={c}>{c}</li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td class="small">
                      {e.actorUserId && <div>{names.users.get(e.actorUserId) ?? `user ${e.actorUserId}`}</div>}
                      {e.actorKeyId ? (
                        <div class="muted">
                          with {names.keys.has(e.actorKeyId) ? names.keys.get(e.actorKeyId) : 'key'} <code>{e.actorKeyId}</code>
                        </div>
                      ) : e.actorUserId ? (
                        <span class="muted">signed in by e-mailed code</span>
                      ) : (
                        <span class="muted">operator (codika-server)</span>
                      )}
                    </td>
                    <td class="small">
                      <div>{e.sourceIp ?? '—'}</div>
                      {e.userAgent && <div class="muted ua">{e.userAgent}</div>}
                    </td>
                    <td class="small">
                      <code>{e.requestId ?? '—'}</code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
