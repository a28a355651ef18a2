import type { ChooseOrganization } from '@codika/contract/dashboard-schemas';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, chooseOrganization, completeCode, requestCode, signIn } from '../api.js';
import { ErrorBox, PageTitle } from '../components.js';
import { codeHint, emailHint, keyShapeHint } from '../logic.js';
import type { Session } from '../router.js';

interface Props {
  notice: string | undefined;
  /** A person who signed in by code and has yet to choose an organization (after a reload too). */
  choose: ChooseOrganization | undefined;
  onSignedIn: (s: Session) => void;
}

type Step = { at: 'start' } | { at: 'code'; email: string } | { at: 'choose'; choose: ChooseOrganization };

export function SignInPage({ notice, choose, onSignedIn }: Props) {
  const [step, setStep] = useState<Step>(choose ? { at: 'choose', choose } : { at: 'start' });
  const [error, setError] = useState<ApiError | undefined>();

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
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        {step.at === 'start' && (
          <>
            <EmailForm
              onSent={(email) => {
                setError(undefined);
                setStep({ at: 'code', email });
              }}
            />
            <p class="or muted" aria-hidden="true">
              or
            </p>
            <KeyForm onSignedIn={onSignedIn} />
          </>
        )}
        {step.at === 'code' && (
          <CodeForm
            email={step.email}
            onBack={() => setStep({ at: 'start' })}
            onChoose={(c) => setStep({ at: 'choose', choose: c })}
            onSignedIn={onSignedIn}
          />
        )}
        {step.at === 'choose' && (
          <section aria-labelledby="choose-title">
            <h2 id="choose-title">Choose an organization</h2>
            <p class="muted">
              <strong>{step.choose.email}</strong> belongs to several organizations. The dashboard works in one at a time, with
              your role there.
            </p>
            <ul class="plain choices">
              {step.choose.organizations.map((o) => (
                <li key={o.organizationId}>
                  <button
                    type="button"
                    class="secondary"
                    onClick={async () => {
                      setError(undefined);
                      const res = await chooseOrganization(o.organizationId);
                      if (!res.ok) return setError(res.error);
                      const { signedIn: _s, ...session } = res.data;
                      onSignedIn(session);
                    }}
                  >
                    {o.organizationName}
                  </button>{' '}
                  <span class="muted">{o.role}</span>
                </li>
              ))}
            </ul>
            {error && <ErrorBox error={error} />}
          </section>
        )}
      </div>
    </main>
  );
}

function EmailForm({ onSent }: { onSent: (email: string) => void }) {
  const [hint, setHint] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const email = input.current?.value.trim() ?? '';
    const problem = emailHint(email);
    setHint(problem);
    setError(undefined);
    if (problem) return input.current?.focus();
    setBusy(true);
    const res = await requestCode(email);
    setBusy(false);
    if (res.ok) onSent(res.data.email);
    else setError(res.error);
  }

  return (
    <section aria-labelledby="by-code">
      <h2 id="by-code">E-mail me a code</h2>
      <form onSubmit={submit} noValidate>
        <label for="email">E-mail address</label>
        <input
          id="email"
          name="email"
          ref={input}
          type="email"
          autocomplete="email"
          spellcheck={false}
          required
          aria-invalid={hint ? 'true' : undefined}
          aria-describedby={hint ? 'email-hint' : 'email-help'}
        />
        {hint ? (
          <p id="email-hint" class="field-error">
            {hint}
          </p>
        ) : (
          <p id="email-help" class="muted small">
            A 6-digit code, valid for 10 minutes, goes to this address if it belongs to someone in an organization here. You then
            act with the rights of your role.
          </p>
        )}
        {error && <ErrorBox error={error} />}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Sending…' : 'E-mail me a code'}
          </button>
        </div>
      </form>
    </section>
  );
}

function CodeForm({
  email,
  onBack,
  onChoose,
  onSignedIn,
}: {
  email: string;
  onBack: () => void;
  onChoose: (c: ChooseOrganization) => void;
  onSignedIn: (s: Session) => void;
}) {
  const [hint, setHint] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [resent, setResent] = useState(false);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  async function submit(e: Event) {
    e.preventDefault();
    const code = input.current?.value.trim() ?? '';
    const problem = codeHint(code);
    setHint(problem);
    setError(undefined);
    if (problem) return input.current?.focus();
    setBusy(true);
    const res = await completeCode(email, code);
    setBusy(false);
    if (!res.ok) return setError(res.error);
    if (input.current) input.current.value = '';
    if (res.data.signedIn) {
      const { signedIn: _s, ...session } = res.data;
      onSignedIn(session);
    } else onChoose(res.data.chooseOrganization);
  }

  async function resend() {
    setError(undefined);
    const res = await requestCode(email);
    if (res.ok) setResent(true);
    else setError(res.error);
  }

  return (
    <section aria-labelledby="code-title">
      <h2 id="code-title">Enter the code</h2>
      <p role="status">
        If <strong>{email}</strong> belongs to someone in an organization here, a 6-digit code is on its way. It is valid for 10
        minutes{resent ? '; a new one replaces the previous one' : ''}.
      </p>
      <form onSubmit={submit} noValidate>
        <label for="code">Code from the e-mail</label>
        <input
          id="code"
          name="code"
          ref={input}
          inputMode="numeric"
          autocomplete="one-time-code"
          maxLength={6}
          spellcheck={false}
          required
          aria-invalid={hint ? 'true' : undefined}
          aria-describedby={hint ? 'code-hint' : undefined}
        />
        {hint && (
          <p id="code-hint" class="field-error">
            {hint}
          </p>
        )}
        {error && <ErrorBox error={error} />}
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
          <button type="button" class="secondary" onClick={resend}>
            E-mail me a new code
          </button>
          <button type="button" class="secondary" onClick={onBack}>
            Use another address
          </button>
        </div>
      </form>
    </section>
  );
}

function KeyForm({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
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
    <section aria-labelledby="by-key">
      <h2 id="by-key">Paste a key</h2>
      <p class="muted">
        Paste an organization API key (<code>cko_…</code>). The dashboard then acts with exactly that key's rights: to manage keys
        it needs the <code>api-keys:manage</code> scope and a user who is admin or owner.
      </p>
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
    </section>
  );
}
