import { useRef, useState } from 'preact/hooks';
import { type ApiError, signIn } from '../api.js';
import { ErrorBox, PageTitle } from '../components.js';
import { keyShapeHint } from '../logic.js';
import type { Session } from '../router.js';

export function SignInPage({ notice, onSignedIn }: { notice: string | undefined; onSignedIn: (s: Session) => void }) {
  const [show, setShow] = useState(false);
  const [hint, setHint] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const field = input.current;
    if (!field) return;
    const raw = field.value.trim();
    const problem = keyShapeHint(raw);
    setHint(problem);
    setError(undefined);
    if (problem) {
      field.focus();
      return;
    }
    setBusy(true);
    const res = await signIn(raw);
    setBusy(false);
    if (res.ok) {
      // The raw key is not kept anywhere in the page once the session exists.
      field.value = '';
      onSignedIn(res.data);
    } else {
      setError(res.error);
    }
  }

  return (
    <main class="center" id="main">
      <div class="card narrow">
        <div class="brand big">
          <span class="logo" aria-hidden="true">
            ◆
          </span>{' '}
          codika
        </div>
        <PageTitle>Sign in</PageTitle>
        <p class="muted">
          Paste an organization API key (<code>cko_…</code>). The dashboard then acts with exactly that key's rights: to manage
          keys it needs the <code>api-keys:manage</code> scope and a user who is admin or owner.
        </p>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          <label for="api-key">Organization API key</label>
          <input
            id="api-key"
            name="apiKey"
            ref={input}
            {...(show ? { type: 'text' as const } : { type: 'password' as const })}
            autocomplete="off"
            autocapitalize="off"
            spellcheck={false}
            required
            aria-invalid={hint ? 'true' : undefined}
            aria-describedby={hint ? 'api-key-hint' : 'api-key-help'}
            placeholder="cko_…"
          />
          {hint ? (
            <p id="api-key-hint" class="field-error">
              {hint}
            </p>
          ) : (
            <p id="api-key-help" class="muted small">
              Sent once to this server, which answers with a session cookie valid for 12 hours. The key is not stored in the
              browser.
            </p>
          )}
          <div class="check">
            <input id="show-key" type="checkbox" checked={show} onChange={(e) => setShow(e.currentTarget.checked)} />
            <label for="show-key">Show the key while typing</label>
          </div>
          {error && <ErrorBox error={error} />}
          <div class="actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
