/**
 * `codika organization audit`: the organization's audit log — who did what to which key or
 * member, from where, allowed or refused — newest first, filtered, a page at a time or all of
 * it (`--all` follows the cursors). `--ndjson` writes one event per line, page after page, for
 * export.
 */
import { AUDIT_ACTIONS, AUDIT_EVENTS_LIMIT_DEFAULT, AUDIT_EVENTS_LIMIT_MAX, type AuditAction } from '@codika/contract/audit';
import type { AuditEvent, ListAuditEventsData } from '@codika/contract/schemas';
import { type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { parseWhenOption, resolveWhen, type When } from '../../durations.js';
import { ValidationError } from '../../errors.js';
import { line, writeJson, writeTable } from '../../output.js';
import { callOperation } from '../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, checkId, type RawArgs, str } from '../../spec.js';

const OUTCOMES = ['allowed', 'denied', 'dry-run'] as const;

export const spec: CommandSpec = {
  path: ['organization', 'audit'],
  summary: "Show the organization's audit log: who changed which key or member, from where, allowed or refused",
  options: [
    { flags: '--key-id <id>', description: 'Only events about this key' },
    { flags: '--actor-key-id <id>', description: 'Only events made with this key' },
    { flags: '--actor-user-id <id>', description: 'Only events made by this user' },
    { flags: '--action <actions>', description: `Only these actions, comma-separated (${AUDIT_ACTIONS.join(', ')})` },
    { flags: '--outcome <outcome>', description: `Only this outcome (${OUTCOMES.join(', ')})` },
    { flags: '--since <when>', description: 'Only events at or after this time: 30m, 12h, 7d, 2w back, or an ISO date/time' },
    { flags: '--until <when>', description: 'Only events before this time (same forms as --since)' },
    {
      flags: '--limit <n>',
      description: `Events per page, 1–${AUDIT_EVENTS_LIMIT_MAX}`,
      default: String(AUDIT_EVENTS_LIMIT_DEFAULT),
    },
    { flags: '--cursor <cursor>', description: 'Continue after a page: the nextCursor it ended with' },
    { flags: '--all', description: 'Follow the cursors: every matching event, page after page' },
    { flags: '--ndjson', description: 'Output one JSON event per line (for export; streams with --all)' },
    ...API_OPTIONS,
  ],
  notes: () => [
    'Events run newest first. Without --all one page is shown; when more follow, the cursor to continue with is printed on stderr (and is nextCursor in --json).',
    'On a terminal the events are shown as a table; otherwise as tab-separated lines with a header, for scripts. --json prints one document (with --all: every event in data.events); --ndjson prints one event per line.',
  ],
  examples: [
    'codika organization audit --key-id <key-id> --since 7d',
    'codika organization audit --action key.update,key.revoke --outcome denied',
    'codika organization audit --all --ndjson > audit.ndjson',
  ],
};

export interface AuditOptions {
  filters: {
    keyId?: string;
    actorKeyId?: string;
    actorUserId?: string;
    action?: AuditAction[];
    outcome?: 'allowed' | 'denied' | 'dry_run';
  };
  since?: When;
  until?: When;
  limit: number;
  cursor?: string;
  all: boolean;
  output: 'table' | 'json' | 'ndjson';
  api: ApiFlags;
}

function parseActions(value: string): AuditAction[] {
  const actions = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = actions.filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a));
  if (actions.length === 0 || unknown.length > 0) {
    throw new ValidationError(
      `--action must be one or more of ${AUDIT_ACTIONS.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.join(', ')}` : ''}.`,
    );
  }
  return [...new Set(actions)] as AuditAction[];
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return AUDIT_EVENTS_LIMIT_DEFAULT;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > AUDIT_EVENTS_LIMIT_MAX) {
    throw new ValidationError(`--limit must be a whole number from 1 to ${AUDIT_EVENTS_LIMIT_MAX}, got "${value}".`);
  }
  return n;
}

export function parse(raw: RawArgs): AuditOptions {
  const json = bool(raw, 'json');
  const ndjson = bool(raw, 'ndjson');
  if (json && ndjson) throw new ValidationError('--json and --ndjson cannot be combined; choose one.');
  const o: AuditOptions = {
    filters: {},
    limit: parseLimit(str(raw, 'limit')),
    all: bool(raw, 'all'),
    output: json ? 'json' : ndjson ? 'ndjson' : 'table',
    api: apiFlags(raw),
  };
  const keyId = str(raw, 'keyId');
  if (keyId !== undefined) o.filters.keyId = checkId(keyId, '--key-id');
  const actorKeyId = str(raw, 'actorKeyId');
  if (actorKeyId !== undefined) o.filters.actorKeyId = checkId(actorKeyId, '--actor-key-id');
  const actorUserId = str(raw, 'actorUserId');
  if (actorUserId !== undefined) o.filters.actorUserId = checkId(actorUserId, '--actor-user-id');
  const action = str(raw, 'action');
  if (action !== undefined) o.filters.action = parseActions(action);
  const outcome = str(raw, 'outcome');
  if (outcome !== undefined) {
    const value = outcome.trim().replace('_', '-');
    if (!(OUTCOMES as readonly string[]).includes(value)) {
      throw new ValidationError(`--outcome must be one of ${OUTCOMES.join(', ')}, got "${outcome}".`);
    }
    o.filters.outcome = value === 'dry-run' ? 'dry_run' : (value as 'allowed' | 'denied');
  }
  const since = str(raw, 'since');
  if (since !== undefined) o.since = parseWhenOption(since, '--since');
  const until = str(raw, 'until');
  if (until !== undefined) o.until = parseWhenOption(until, '--until');
  const cursor = str(raw, 'cursor');
  if (cursor !== undefined) o.cursor = checkId(cursor, '--cursor');
  return o;
}

/** Who acted: the key, else the user (a person signed in by code), else the operator. */
function actorOf(e: AuditEvent): string {
  return e.actor.keyId ?? (e.actor.userId === undefined ? 'operator' : `user ${e.actor.userId}`);
}

function targetOf(e: AuditEvent): string {
  return e.target.keyId ?? (e.target.userId === undefined ? '-' : `user ${e.target.userId}`);
}

const OUTCOME_WORD: Record<AuditEvent['outcome'], string> = { allowed: 'allowed', denied: 'denied', dry_run: 'dry-run' };

/** The filters as the server takes them: `--since 7d` is seven days before now. */
function filtersAt(o: AuditOptions, now: Date): Record<string, unknown> {
  const since = o.since === undefined ? undefined : resolveWhen(o.since, now);
  const until = o.until === undefined ? undefined : resolveWhen(o.until, now);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new ValidationError('--since must be before --until.');
  }
  return { ...o.filters, ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

export async function run(o: AuditOptions, deps: Deps): Promise<number> {
  const filters = filtersAt(o, deps.clock.now());
  const ctx = await resolveApiContext(o.api, deps);
  const out = deps.io.stdout;
  const events: AuditEvent[] = [];
  let cursor = o.cursor;
  let requestId = '';
  let nextCursor: string | undefined;
  for (;;) {
    const body = { ...filters, limit: o.limit, ...(cursor === undefined ? {} : { cursor }) };
    const envelope = await callOperation<ListAuditEventsData>(deps, ctx, 'listAuditEvents', body, 'Reading the audit log…');
    requestId = envelope.requestId;
    nextCursor = envelope.data.nextCursor;
    if (o.output === 'ndjson') {
      // Streamed: each page is written before the next is asked for.
      for (const event of envelope.data.events) line(out, JSON.stringify(event));
    } else {
      events.push(...envelope.data.events);
    }
    if (!o.all || nextCursor === undefined) break;
    cursor = nextCursor;
  }
  const more = o.all ? undefined : nextCursor;

  if (o.output === 'json') {
    writeJson(out, { success: true, data: { events, ...(more === undefined ? {} : { nextCursor: more }) }, requestId });
    return 0;
  }
  if (o.output === 'table') {
    if (events.length === 0) {
      line(out, 'No audit events.');
    } else {
      const header = ['TIME', 'ACTION', 'OUTCOME', 'ACTOR', 'TARGET', 'FROM', 'REASON'];
      const rows = events.map((e) => [
        e.at,
        e.action,
        OUTCOME_WORD[e.outcome],
        actorOf(e),
        targetOf(e),
        e.actor.ip ?? '-',
        e.reason ?? '',
      ]);
      await writeTable(deps, header, rows);
    }
  }
  if (more !== undefined) line(deps.io.stderr, `More events follow: add --cursor ${more} (or --all for every one).`);
  return 0;
}
