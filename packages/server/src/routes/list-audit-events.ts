/**
 * POST /listauditeventspublic — the audit log of the caller's organization: every answered
 * attempt (allowed, denied, previewed) with its actor, target and before/after; filters,
 * newest first, cursor pagination. Another organization's rows are never reachable: the
 * organization is always the caller's own, whatever the filters name.
 */
import { AUDIT_EVENTS_LIMIT_DEFAULT } from '@codika/contract/audit';
import type { ListAuditEventsData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { validationError } from '../http/validation.js';
import { auditEventView } from '../http/views.js';

const CURSOR_PREFIX = 'a1:';
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The opaque cursor of the position after an event: versioned, so its form may change. */
export function encodeCursor(eventId: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${eventId}`, 'utf8').toString('base64url');
}

/** The event id a cursor stands after; a cursor this server did not make is a VALIDATION_ERROR. */
export function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith(CURSOR_PREFIX) ? text.slice(CURSOR_PREFIX.length) : '';
  if (!EVENT_ID.test(id) || encodeCursor(id) !== cursor) {
    throw validationError({ cursor: 'not a cursor of this server (pass nextCursor as it was answered)' });
  }
  return id;
}

export function registerListAuditEvents(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'listAuditEvents', {
    audit: null,
    handler: async ({ caller, body }) => {
      const limit = body.limit ?? AUDIT_EVENTS_LIMIT_DEFAULT;
      const page = await config.store.queryAudit({
        organizationId: caller.organization.id,
        ...(body.keyId === undefined ? {} : { targetKeyId: body.keyId }),
        ...(body.actorKeyId === undefined ? {} : { actorKeyId: body.actorKeyId }),
        ...(body.actorUserId === undefined ? {} : { actorUserId: body.actorUserId }),
        ...(body.action === undefined ? {} : { actions: typeof body.action === 'string' ? [body.action] : body.action }),
        ...(body.outcome === undefined ? {} : { result: body.outcome }),
        ...(body.since === undefined ? {} : { since: body.since }),
        ...(body.until === undefined ? {} : { until: body.until }),
        ...(body.cursor === undefined ? {} : { beforeId: decodeCursor(body.cursor) }),
        limit,
      });
      const data: ListAuditEventsData = { events: page.entries.map(auditEventView) };
      const last = page.entries.at(-1);
      if (page.hasMore && last !== undefined) data.nextCursor = encodeCursor(last.id);
      return data;
    },
  });
}
