import { SCOPE_DESCRIPTIONS, SCOPES, type Scope } from '@codika/contract/scopes';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError } from './api.js';
import { copyText } from './clipboard.js';
import { errorLines, formatTime } from './logic.js';

/** Announces short status messages ("Copied") to screen readers and sighted users alike. */
let announce: (message: string) => void = () => {};

export function LiveRegion() {
  const [message, setMessage] = useState('');
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    announce = (m) => {
      setMessage(m);
      clearTimeout(timer);
      timer = setTimeout(() => setMessage(''), 4000);
    };
    return () => clearTimeout(timer);
  }, []);
  return (
    <div class="toast" role="status" aria-live="polite" data-testid="status">
      {message}
    </div>
  );
}

export function say(message: string): void {
  announce(message);
}

export function CopyButton({ text, label, what }: { text: string; label?: string; what: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      class="copy"
      aria-label={label ?? `Copy ${what}`}
      onClick={async () => {
        const ok = await copyText(text);
        setCopied(ok);
        say(ok ? `Copied ${what} to the clipboard` : `Could not copy; select the ${what} and copy it by hand`);
        if (ok) setTimeout(() => setCopied(false), 2000);
      }}
    >
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

export function Time({ iso, empty = '—' }: { iso: string | undefined | null; empty?: string }) {
  if (!iso) return <span class="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {formatTime(iso)}
    </time>
  );
}

/** An API error shown inline, with its code and the request id to quote in a bug report. */
export function ErrorBox({ error, children }: { error: ApiError; children?: ComponentChildren }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [error]);
  const { headline, lines } = errorLines(error);
  return (
    <div class="error" role="alert" tabIndex={-1} ref={ref} data-code={error.code}>
      <p>
        <strong>{headline}</strong> <code>{error.code}</code>
      </p>
      {error.nextAction && <p>{error.nextAction}</p>}
      {lines.length > 0 && (
        <ul class="plain">
          {lines.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
      {error.requestId && (
        <p class="muted small">
          Request id <code>{error.requestId}</code>
        </p>
      )}
      {children}
    </div>
  );
}

export function ScopeChecklist({
  selected,
  onChange,
  legend,
  disabled,
}: {
  selected: ReadonlySet<string>;
  onChange: (next: Set<Scope>) => void;
  legend: string;
  disabled?: boolean;
}) {
  return (
    <fieldset class="scopes">
      <legend>{legend}</legend>
      {SCOPES.map((scope) => {
        const id = `scope-${scope.replace(':', '-')}`;
        return (
          <div class="scope" key={scope}>
            <input
              type="checkbox"
              id={id}
              name="scopes"
              value={scope}
              checked={selected.has(scope)}
              disabled={disabled}
              aria-describedby={`${id}-desc`}
              onChange={(e) => {
                const next = new Set(selected as ReadonlySet<Scope>);
                if ((e.currentTarget as HTMLInputElement).checked) next.add(scope);
                else next.delete(scope);
                onChange(next);
              }}
            />
            <label for={id}>
              <code>{scope}</code>
              <span id={`${id}-desc`} class="muted">
                {SCOPE_DESCRIPTIONS[scope]}
              </span>
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}

export function ScopeList({ scopes }: { scopes: readonly string[] }) {
  if (scopes.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="chips">
      {scopes.map((s) => (
        <li key={s}>
          <code>{s}</code>
        </li>
      ))}
    </ul>
  );
}

/** The page heading; it takes focus when the page opens so keyboard users start there. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

/** A section heading that takes focus when it appears (a confirmation opening on the page). */
export function FocusHeading({ id, children }: { id: string; children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h2 id={id} tabIndex={-1} ref={ref}>
      {children}
    </h2>
  );
}
