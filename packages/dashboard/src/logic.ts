/** Pure helpers of the dashboard: routes, form → request planning, change previews, formatting. */
import { canonicalScopes, type Scope } from '@codika/contract/scopes';

// ---- routes -----------------------------------------------------------------------------

export type Route =
  | { page: 'keys' }
  | { page: 'create' }
  | { page: 'members' }
  | { page: 'edit'; keyId: string }
  | { page: 'revoke'; keyId: string }
  | { page: 'history'; keyId: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '/create') return { page: 'create' };
  if (path === '/members') return { page: 'members' };
  const m = /^\/keys\/([^/]+)\/(edit|revoke|history)$/.exec(path);
  if (m) {
    let keyId: string;
    try {
      keyId = decodeURIComponent(m[1] as string);
    } catch {
      return { page: 'keys' };
    }
    return { page: m[2] as 'edit' | 'revoke' | 'history', keyId };
  }
  return { page: 'keys' };
}

export function hrefOf(route: Route): string {
  switch (route.page) {
    case 'keys':
      return '#/keys';
    case 'create':
      return '#/create';
    case 'members':
      return '#/members';
    default:
      return `#/keys/${encodeURIComponent(route.keyId)}/${route.page}`;
  }
}

// ---- sign-in ----------------------------------------------------------------------------

/** The shape of a raw key (the server checks the checksum and everything else). */
export const RAW_KEY_SHAPE = /^ck[opa]_[0-9A-Za-z]{28}$/;

/** A hint for an obviously wrong paste, or undefined when the shape is fine. */
export function keyShapeHint(raw: string): string | undefined {
  const key = raw.trim();
  if (key.length === 0) return 'Paste an organization API key.';
  if (RAW_KEY_SHAPE.test(key)) return undefined;
  if (!/^ck[opa]_/.test(key)) return 'An API key starts with cko_ (organization key).';
  return 'That does not look like a whole API key: it should be 32 letters and digits, starting with cko_.';
}

/** A hint for an address that cannot be one (the server checks it too), or undefined. */
export function emailHint(email: string): string | undefined {
  const value = email.trim();
  if (value.length === 0) return 'Enter your e-mail address.';
  if (!/^[^\s@<>,"]+@[^\s@<>,"]+$/.test(value)) return 'That is not an e-mail address (name@example.com).';
  return undefined;
}

/** A hint for a code that is not six digits, or undefined. */
export function codeHint(code: string): string | undefined {
  const value = code.trim();
  if (value.length === 0) return 'Enter the code from the e-mail.';
  if (!/^\d{6}$/.test(value)) return 'The code is 6 digits.';
  return undefined;
}

// ---- members -------------------------------------------------------------------------

/** What a refused member change means for the person who tried, in plain words. */
export function memberErrorHelp(code: string): string | undefined {
  switch (code) {
    case 'LAST_OWNER':
      return 'An organization must keep at least one owner: make someone else an owner first.';
    case 'SELF_ROLE_CHANGE':
      return 'You cannot change your own role or remove yourself (an owner may step down only while another owner remains). Ask another owner.';
    case 'ROLE_HIERARCHY':
      return 'Only an owner may make someone an owner, or change or remove an owner.';
    case 'MEMBER_EXISTS':
      return 'That person is already a member: change their role in the list instead.';
    case 'MEMBER_NOT_FOUND':
      return 'That person is not a member of this organization (any more): the list is refreshed.';
    case 'INSUFFICIENT_SCOPE':
    case 'NOT_ORG_ADMIN':
      return 'Only an admin or owner manages members.';
    default:
      return undefined;
  }
}

// ---- update planning and previews -------------------------------------------------------

/**
 * A key's name, description and scopes as the edit form compares them: like the contract's
 * KeyFields, but any scope strings (the server judges the names).
 */
export interface FormFields {
  name: string;
  description: string;
  scopes: readonly string[];
  /**
   * The key's lifecycle, as the contract shows it (absent = the default): an expiry, `enabled:
   * false` when disabled (a list shows `enabled: true`), the IP allowlist.
   */
  expiresAt?: string | undefined;
  enabled?: boolean | undefined;
  allowedIps?: readonly string[] | undefined;
}

/** The lifecycle of a key or form with the defaults spelled out. */
export function lifecycleOf(fields: FormFields): { expiresAt: string | null; enabled: boolean; allowedIps: string[] | null } {
  return {
    expiresAt: fields.expiresAt ?? null,
    enabled: fields.enabled !== false,
    allowedIps: fields.allowedIps === undefined || fields.allowedIps.length === 0 ? null : [...fields.allowedIps],
  };
}

/** The allowlist as typed: entries separated by commas, spaces or new lines. */
export function parseAllowedIps(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/** A date input's value (YYYY-MM-DD) as the expiry it means: that day at 00:00 UTC; '' → none. */
export function expiryFromDate(date: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  return `${date}T00:00:00.000Z`;
}

export interface PlannedUpdate {
  scopes?: Scope[];
  name?: string;
  description?: string;
  expiresAt?: string | null;
  enabled?: boolean;
  allowedIps?: string[] | null;
}

/** What the edit form would send: only the fields that differ from the key as loaded. */
export function planUpdate(current: FormFields, form: FormFields): PlannedUpdate {
  const body: PlannedUpdate = {};
  const wanted = canonicalScopes(form.scopes);
  const had = canonicalScopes(current.scopes);
  if (wanted.length !== had.length || wanted.some((s, i) => s !== had[i])) body.scopes = wanted;
  const name = form.name.trim();
  if (name !== current.name) body.name = name;
  if (form.description !== current.description) body.description = form.description;
  const was = lifecycleOf(current);
  const now = lifecycleOf(form);
  if (now.expiresAt !== was.expiresAt) body.expiresAt = now.expiresAt;
  if (now.enabled !== was.enabled) body.enabled = now.enabled;
  if (JSON.stringify(now.allowedIps) !== JSON.stringify(was.allowedIps)) body.allowedIps = now.allowedIps;
  return body;
}

export interface Change {
  added: Scope[];
  removed: Scope[];
  name?: { from: string; to: string };
  description?: { from: string; to: string };
  /** null: never expires. */
  expiresAt?: { from: string | null; to: string | null };
  enabled?: { from: boolean; to: boolean };
  /** null: usable from anywhere. */
  allowedIps?: { from: string[] | null; to: string[] | null };
}

export function describeChange(before: FormFields, after: FormFields): Change {
  const was = new Set(before.scopes);
  const now = new Set(after.scopes);
  const change: Change = {
    added: canonicalScopes(after.scopes).filter((s) => !was.has(s)),
    removed: canonicalScopes(before.scopes).filter((s) => !now.has(s)),
  };
  if (before.name !== after.name) change.name = { from: before.name, to: after.name };
  if (before.description !== after.description) change.description = { from: before.description, to: after.description };
  const b = lifecycleOf(before);
  const a = lifecycleOf(after);
  if (b.expiresAt !== a.expiresAt) change.expiresAt = { from: b.expiresAt, to: a.expiresAt };
  if (b.enabled !== a.enabled) change.enabled = { from: b.enabled, to: a.enabled };
  if (JSON.stringify(b.allowedIps) !== JSON.stringify(a.allowedIps)) change.allowedIps = { from: b.allowedIps, to: a.allowedIps };
  return change;
}

export function isEmptyChange(change: Change): boolean {
  return (
    change.added.length === 0 &&
    change.removed.length === 0 &&
    !change.name &&
    !change.description &&
    !change.expiresAt &&
    !change.enabled &&
    !change.allowedIps
  );
}

/** What a SELF_LOCKOUT refusal means, by its details.reason (the scope case has none). */
export function selfLockoutHelp(details: Record<string, unknown> | undefined): { text: string; button: string } {
  switch (details?.reason) {
    case 'DISABLES_CALLER':
      return {
        text: 'Saving would disable the key you are signed in with: this session would stop working.',
        button: 'Disable it anyway',
      };
    case 'EXCLUDES_CALLER_ADDRESS':
      return {
        text: `The allowlist leaves out the address you are connecting from (${String(details.clientIp ?? 'unknown')}): this session would stop working.`,
        button: 'Save the allowlist anyway',
      };
    default:
      return {
        text: 'Saving would take api-keys:manage from the key you are signed in with. You would lose the ability to manage keys with it.',
        button: 'Remove api-keys:manage anyway',
      };
  }
}

// ---- create -----------------------------------------------------------------------------

export const EXPIRY_CHOICES = [
  { value: '', label: 'Never' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
] as const;

// ---- formatting -------------------------------------------------------------------------

/** `2026-03-31 14:00 UTC`; the full ISO value goes in the element's datetime/title. */
export function formatTime(iso: string | undefined | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** True when an expiry lies in the past relative to `now`. */
export function isExpired(expiresAt: string | undefined, now: number = Date.now()): boolean {
  return expiresAt !== undefined && new Date(expiresAt).getTime() <= now;
}

// ---- usage badges -----------------------------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;
/** A live key shows "unused for N days" from this many days without a use (never used: since its creation). */
export const UNUSED_BADGE_DAYS = 30;
/** A live key shows "expires in N days" from this many days before its expiry. */
export const EXPIRY_BADGE_DAYS = 14;

/** Whole days the key has gone unused (since its last use, or its creation), when at least UNUSED_BADGE_DAYS. */
export function unusedDays(key: { lastUsedAt?: string; createdAt: string }, now: number = Date.now()): number | undefined {
  const since = new Date(key.lastUsedAt ?? key.createdAt).getTime();
  if (Number.isNaN(since)) return undefined;
  const days = Math.floor((now - since) / DAY_MS);
  return days >= UNUSED_BADGE_DAYS ? days : undefined;
}

/** Days until the key expires (rounded up: "in 1 day" for anything under a day), within EXPIRY_BADGE_DAYS; else undefined. */
export function expiresInDays(expiresAt: string | undefined, now: number = Date.now()): number | undefined {
  if (expiresAt === undefined) return undefined;
  const left = new Date(expiresAt).getTime() - now;
  if (Number.isNaN(left) || left <= 0) return undefined;
  const days = Math.ceil(left / DAY_MS);
  return days <= EXPIRY_BADGE_DAYS ? days : undefined;
}

export function daysText(days: number): string {
  return days === 1 ? '1 day' : `${days} days`;
}

// ---- audit ------------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(String).join(', ');
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  return JSON.stringify(value);
}

/** One line per field that differs between an audit row's before and after states. */
export function auditChanges(before: unknown, after: unknown): string[] {
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  if (!isRecord(before) && !isRecord(after)) return [];
  const lines: string[] = [];
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  for (const field of fields) {
    const from = b[field];
    const to = a[field];
    if (JSON.stringify(from) === JSON.stringify(to)) continue;
    if (field === 'scopes' && Array.isArray(from) && Array.isArray(to)) {
      const added = to.filter((s) => !from.includes(s));
      const removed = from.filter((s) => !to.includes(s));
      if (added.length > 0) lines.push(`scopes added: ${added.join(', ')}`);
      if (removed.length > 0) lines.push(`scopes removed: ${removed.join(', ')}`);
      continue;
    }
    if (!(field in b)) lines.push(`${field}: ${show(to)}`);
    else lines.push(`${field}: ${show(from)} → ${show(to)}`);
  }
  return lines;
}

// ---- errors -----------------------------------------------------------------------------

/** What an error box says: the headline, and each further problem once (nothing the headline already says). */
export function errorLines(error: { code: string; message: string; details?: Record<string, unknown> }): {
  headline: string;
  lines: string[];
} {
  const fields = error.code === 'VALIDATION_ERROR' && error.details ? Object.entries(error.details) : [];
  if (fields.length > 0) {
    // The server's message repeats the first field's problem ("Invalid request: name: …"): the list says each once.
    const headline = error.message.replace(/:.*$/s, '');
    return { headline, lines: fields.map(([field, problem]) => `${field}: ${String(problem)}`) };
  }
  const invalid = error.details?.invalid;
  if (Array.isArray(invalid) && invalid.length > 0 && !invalid.every((s) => error.message.includes(String(s)))) {
    return { headline: error.message, lines: [`Unknown scopes: ${invalid.join(', ')}`] };
  }
  return { headline: error.message, lines: [] };
}
