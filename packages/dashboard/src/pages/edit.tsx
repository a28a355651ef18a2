import { DESCRIPTION_MAX, NAME_MAX } from '@codika/contract/operations';
import type { UpdateKeyData, UpdateKeyRequest } from '@codika/contract/schemas';
import { MANAGE_SCOPE, type Scope } from '@codika/contract/scopes';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, getKey, type Key, updateKey } from '../api.js';
import { CopyButton, ErrorBox, PageTitle, ScopeChecklist, say } from '../components.js';
import {
  type Change,
  describeChange,
  expiryFromDate,
  formatTime,
  isEmptyChange,
  parseAllowedIps,
  planUpdate,
  selfLockoutHelp,
} from '../logic.js';
import { navigate, type PageProps, sessionKeyId } from '../router.js';

type Stage = 'preview' | 'save';

export function EditKeyPage({ session, refreshSession, keyId }: PageProps & { keyId: string }) {
  const [key, setKey] = useState<Key | undefined>();
  const [loadError, setLoadError] = useState<ApiError | undefined>();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(new Set());
  // The lifecycle: an expiry date (kept as loaded until touched; empty: never), enabled, the allowlist as typed.
  const [expiresDate, setExpiresDate] = useState('');
  const [expiryTouched, setExpiryTouched] = useState(false);
  const [enabled, setEnabled] = useState(true);
  const [allowedText, setAllowedText] = useState('');
  const [preview, setPreview] = useState<{ body: UpdateKeyRequest; change: Change } | undefined>();
  const [error, setError] = useState<{ error: ApiError; stage: Stage; body: UpdateKeyRequest } | undefined>();
  const [nothing, setNothing] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void getKey(keyId).then((res) => {
      if (!res.ok) {
        setLoadError(res.error);
        return;
      }
      setKey(res.data);
      setName(res.data.name);
      setDescription(res.data.description);
      setScopes(new Set(res.data.scopes));
      setExpiresDate(res.data.expiresAt?.slice(0, 10) ?? '');
      setEnabled(res.data.enabled !== false);
      setAllowedText((res.data.allowedIps ?? []).join('\n'));
    });
  }, [keyId]);

  /** Any edit invalidates a shown preview (and a given force confirmation). */
  function edited() {
    setPreview(undefined);
    setError(undefined);
    setNothing(false);
  }

  async function runPreview(body: UpdateKeyRequest) {
    setBusy(true);
    const res = await updateKey({ ...body, dryRun: true });
    setBusy(false);
    if (!res.ok) {
      setError({ error: res.error, stage: 'preview', body });
      return;
    }
    const before = res.data.previous ?? (key as Key);
    setPreview({ body, change: describeChange(before, res.data) });
  }

  async function save(body: UpdateKeyRequest) {
    setBusy(true);
    const res = await updateKey(body);
    setBusy(false);
    if (!res.ok) {
      setError({ error: res.error, stage: 'save', body });
      return;
    }
    done(res.data);
  }

  async function done(data: UpdateKeyData) {
    if (data.keyId === sessionKeyId(session)) await refreshSession();
    say(`Saved ${data.name}`);
    navigate({ page: 'keys' });
  }

  function onSubmit(e: Event) {
    e.preventDefault();
    if (!key) return;
    setError(undefined);
    const planned = planUpdate(key, {
      name,
      description,
      scopes: [...scopes],
      expiresAt: expiryTouched ? expiryFromDate(expiresDate) : key.expiresAt,
      enabled,
      allowedIps: parseAllowedIps(allowedText),
    });
    if (Object.keys(planned).length === 0) {
      setNothing(true);
      return;
    }
    setNothing(false);
    void runPreview({ keyId: key.keyId, ...planned });
  }

  if (loadError) {
    return (
      <section>
        <PageTitle>Edit key</PageTitle>
        <ErrorBox error={loadError} />
        <p>
          <a href="#/keys">Back to keys</a>
        </p>
      </section>
    );
  }
  if (!key) return <p class="muted">Loading key…</p>;

  const isSelf = key.keyId === sessionKeyId(session);

  return (
    <section>
      <PageTitle>Edit {key.name}</PageTitle>
      <p class="muted">
        Key id <code class="key-id">{key.keyId}</code> <CopyButton text={key.keyId} what="key id" /> · prefix{' '}
        <code>{key.keyPrefix}…</code>
        {isSelf && <span class="badge">this session</span>}
      </p>
      <form onSubmit={onSubmit} class="card" noValidate>
        <label for="key-name">Name</label>
        <input
          id="key-name"
          value={name}
          maxLength={NAME_MAX}
          required
          onInput={(e) => {
            setName(e.currentTarget.value);
            edited();
          }}
        />
        <label for="key-description">Description</label>
        <textarea
          id="key-description"
          rows={2}
          maxLength={DESCRIPTION_MAX}
          value={description}
          onInput={(e) => {
            setDescription(e.currentTarget.value);
            edited();
          }}
        />
        <ScopeChecklist
          legend="Scopes (the new set replaces the old one)"
          selected={scopes}
          onChange={(next) => {
            setScopes(next);
            edited();
          }}
        />
        <fieldset class="lifecycle">
          <legend>Lifecycle</legend>
          <label for="key-expires">Expires on (at 00:00 UTC; empty: never)</label>
          <input
            id="key-expires"
            type="date"
            value={expiresDate}
            onInput={(e) => {
              setExpiresDate(e.currentTarget.value);
              setExpiryTouched(true);
              edited();
            }}
          />
          {key.expiresAt && !expiryTouched && <p class="muted small">Now: {formatTime(key.expiresAt)}</p>}
          <div class="check">
            <input
              id="key-enabled"
              type="checkbox"
              checked={enabled}
              onChange={(e) => {
                setEnabled(e.currentTarget.checked);
                edited();
              }}
            />
            <label for="key-enabled">Enabled (a disabled key authenticates nowhere until enabled again)</label>
          </div>
          <label for="key-allowed-ips">Allowed IP addresses and ranges (one per line, e.g. 10.0.0.0/8; empty: anywhere)</label>
          <textarea
            id="key-allowed-ips"
            rows={3}
            value={allowedText}
            onInput={(e) => {
              setAllowedText(e.currentTarget.value);
              edited();
            }}
          />
          {key.previousSecretExpiresAt && (
            <p class="muted small">This key was rotated: its old secret works until {formatTime(key.previousSecretExpiresAt)}.</p>
          )}
        </fieldset>
        {isSelf && !enabled && (
          <p class="warning">You are signed in with this key. Disabling it ends this dashboard session's access.</p>
        )}
        {isSelf && !scopes.has(MANAGE_SCOPE) && (
          <p class="warning">
            You are signed in with this key. Without <code>api-keys:manage</code> it can no longer list or change keys, so this
            dashboard session will lose access after saving.
          </p>
        )}
        {nothing && (
          <p class="notice" role="status">
            Nothing to change: the form matches the key as it is.
          </p>
        )}
        {error && (
          <ErrorBox error={error.error}>
            {error.error.code === 'SELF_LOCKOUT' && (
              <>
                <p>{selfLockoutHelp(error.error.details).text}</p>
                <button
                  type="button"
                  class="danger"
                  disabled={busy}
                  onClick={() => {
                    const body = { ...error.body, force: true };
                    setError(undefined);
                    if (error.stage === 'preview') void runPreview(body);
                    else void save(body);
                  }}
                >
                  {selfLockoutHelp(error.error.details).button}
                </button>
              </>
            )}
          </ErrorBox>
        )}
        {!preview && (
          <div class="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Checking…' : 'Preview changes'}
            </button>
            <a class="button secondary" href="#/keys">
              Cancel
            </a>
          </div>
        )}
      </form>
      {preview && (
        <ChangePreview
          change={preview.change}
          forced={preview.body.force === true}
          busy={busy}
          onSave={() => void save(preview.body)}
          onBack={() => setPreview(undefined)}
        />
      )}
    </section>
  );
}

function ChangePreview({
  change,
  forced,
  busy,
  onSave,
  onBack,
}: {
  change: Change;
  forced: boolean;
  busy: boolean;
  onSave: () => void;
  onBack: () => void;
}) {
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    title.current?.focus();
  }, []);
  return (
    <section class="card preview" aria-labelledby="preview-title" data-testid="preview">
      <h2 id="preview-title" tabIndex={-1} ref={title}>
        What will change
      </h2>
      {isEmptyChange(change) ? (
        <p>Nothing: the key already looks like this.</p>
      ) : (
        <ul class="changes">
          {change.name && (
            <li>
              Name: <del>{change.name.from}</del> → <ins>{change.name.to}</ins>
            </li>
          )}
          {change.description && (
            <li>
              Description: <del>{change.description.from || '(empty)'}</del> → <ins>{change.description.to || '(empty)'}</ins>
            </li>
          )}
          {change.added.map((s) => (
            <li key={`+${s}`} class="added">
              Scope added: <code>{s}</code>
            </li>
          ))}
          {change.removed.map((s) => (
            <li key={`-${s}`} class="removed">
              Scope removed: <code>{s}</code>
            </li>
          ))}
          {change.expiresAt && (
            <li>
              Expires: <del>{change.expiresAt.from ? formatTime(change.expiresAt.from) : 'never'}</del> →{' '}
              <ins>{change.expiresAt.to ? formatTime(change.expiresAt.to) : 'never'}</ins>
            </li>
          )}
          {change.enabled && (
            <li class={change.enabled.to ? 'added' : 'removed'}>
              State: <del>{change.enabled.from ? 'enabled' : 'disabled'}</del> →{' '}
              <ins>{change.enabled.to ? 'enabled' : 'disabled'}</ins>
            </li>
          )}
          {change.allowedIps && (
            <li>
              Allowed from: <del>{change.allowedIps.from?.join(', ') ?? 'anywhere'}</del> →{' '}
              <ins>{change.allowedIps.to?.join(', ') ?? 'anywhere'}</ins>
            </li>
          )}
        </ul>
      )}
      {forced && <p class="warning">Confirmed: this change locks the key you are signed in with out of this dashboard.</p>}
      <div class="actions">
        <button type="button" disabled={busy} onClick={onSave}>
          {busy ? 'Saving…' : 'Save changes'}
        </button>
        <button type="button" class="secondary" onClick={onBack}>
          Back to editing
        </button>
      </div>
    </section>
  );
}
