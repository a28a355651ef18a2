import { DESCRIPTION_MAX, EXPIRES_IN_DAYS_MAX, NAME_MAX } from '@codika/contract/operations';
import type { CreateKeyData, CreateKeyRequest } from '@codika/contract/schemas';
import { canonicalScopes, type Scope } from '@codika/contract/scopes';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, createKey } from '../api.js';
import { CopyButton, ErrorBox, PageTitle, ScopeChecklist, ScopeList, Time } from '../components.js';
import { EXPIRY_CHOICES } from '../logic.js';
import type { PageProps } from '../router.js';

export function CreateKeyPage({ session }: PageProps) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(new Set());
  const [expiry, setExpiry] = useState('');
  const [customDays, setCustomDays] = useState('30');
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreateKeyData | undefined>();

  async function onSubmit(e: Event) {
    e.preventDefault();
    setError(undefined);
    // Every problem at once, each once: fixing one field never reveals another.
    const trimmed = name.trim();
    const days = expiry === 'custom' ? Number(customDays) : expiry === '' ? undefined : Number(expiry);
    const found: string[] = [];
    if (trimmed.length === 0) found.push('Give the key a name.');
    if (scopes.size === 0) found.push('Choose at least one scope.');
    if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > EXPIRES_IN_DAYS_MAX)) {
      found.push(`Expiry must be a whole number of days from 1 to ${EXPIRES_IN_DAYS_MAX}.`);
    }
    setProblems(found);
    if (found.length > 0) return;
    const body: CreateKeyRequest = { organizationId: session.organizationId, name: trimmed, scopes: canonicalScopes(scopes) };
    if (description !== '') body.description = description;
    if (days !== undefined) body.expiresInDays = days;
    setBusy(true);
    const res = await createKey(body);
    setBusy(false);
    if (res.ok) setCreated(res.data);
    else setError(res.error);
  }

  if (created) return <CreatedKey created={created} />;

  return (
    <section>
      <PageTitle>Create a key</PageTitle>
      <form class="card" onSubmit={onSubmit} noValidate>
        <label for="new-name">Name</label>
        <input id="new-name" value={name} maxLength={NAME_MAX} required onInput={(e) => setName(e.currentTarget.value)} />
        <label for="new-description">
          Description <span class="muted">(optional)</span>
        </label>
        <textarea
          id="new-description"
          rows={2}
          maxLength={DESCRIPTION_MAX}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
        <ScopeChecklist legend="Scopes" selected={scopes} onChange={setScopes} />
        <label for="new-expiry">Expires</label>
        <select id="new-expiry" value={expiry} onChange={(e) => setExpiry(e.currentTarget.value)}>
          {EXPIRY_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
          <option value="custom">After a number of days…</option>
        </select>
        {expiry === 'custom' && (
          <>
            <label for="new-days">Days until it expires (1–{EXPIRES_IN_DAYS_MAX})</label>
            <input
              id="new-days"
              type="number"
              min={1}
              max={EXPIRES_IN_DAYS_MAX}
              step={1}
              value={customDays}
              onInput={(e) => setCustomDays(e.currentTarget.value)}
            />
          </>
        )}
        {problems.length > 0 && (
          <div role="alert" data-testid="form-problems">
            {problems.map((p) => (
              <p class="field-error" key={p}>
                {p}
              </p>
            ))}
          </div>
        )}
        {error && <ErrorBox error={error} />}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
          <a class="button secondary" href="#/keys">
            Cancel
          </a>
        </div>
      </form>
    </section>
  );
}

function CreatedKey({ created }: { created: CreateKeyData }) {
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    field.current?.select();
  }, []);
  return (
    <section>
      <PageTitle>Key created: {created.name}</PageTitle>
      <div class="card">
        <p class="warning" id="once-warning">
          Copy this key now. It will not be shown again: the server keeps only a hash of it.
        </p>
        <label for="raw-key">The new API key</label>
        <div class="inline">
          <input
            id="raw-key"
            ref={field}
            readOnly
            value={created.apiKey}
            class="mono"
            aria-describedby="once-warning"
            data-testid="raw-key"
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={created.apiKey} what="API key" label="Copy the new API key" />
        </div>
        <dl class="facts">
          <dt>Key id</dt>
          <dd>
            <code class="key-id">{created.keyId}</code> <CopyButton text={created.keyId} what="key id" />
          </dd>
          <dt>Scopes</dt>
          <dd>
            <ScopeList scopes={created.scopes} />
          </dd>
          <dt>Expires</dt>
          <dd>
            <Time iso={created.expiresAt} empty="never" />
          </dd>
        </dl>
        <div class="actions">
          <a class="button" href="#/keys">
            I have copied it — back to keys
          </a>
        </div>
      </div>
    </section>
  );
}
