/**
 * Request and response schemas of the dashboard's own endpoints (paths in dashboard.ts),
 * keyed like DASHBOARD_API. The server validates bodies with the request schemas and types
 * its answers by the response schemas; the dashboard imports only the types, so no zod
 * reaches the browser.
 */
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_RESULTS } from './audit.js';
import { AUDIT_LIMIT_MAX, type DashboardEndpoint } from './dashboard.js';
import { AccountState, Id, KeyFields, KeySummary, MemberState, Timestamp, VerifyApiKeyData } from './schemas.js';

// ---- requests -------------------------------------------------------------

export const SignInRequest = z.strictObject({ apiKey: z.string().max(200) });
export const EmptyRequest = z.strictObject({});
export const AuditRequest = z.strictObject({ keyId: Id, limit: z.number().int().min(1).max(AUDIT_LIMIT_MAX).optional() });

// ---- responses (the `data` of the success envelope) -----------------------

export const SignedOutData = z.object({ signedOut: z.literal(true) });

export const CurrentSessionData = z.discriminatedUnion('signedIn', [
  z.object({ signedIn: z.literal(false) }),
  VerifyApiKeyData.extend({ signedIn: z.literal(true) }),
]);

/** One audit row as the dashboard's history page shows it. */
export const AuditEntry = z.object({
  id: z.string(),
  at: Timestamp,
  action: z.enum(AUDIT_ACTIONS),
  result: z.enum(AUDIT_RESULTS),
  /** The error code of a denied attempt. */
  reason: z.string().nullable(),
  /** Null on rows the operator CLI wrote. */
  actorKeyId: z.string().nullable(),
  actorUserId: z.string().nullable(),
  before: z.union([KeyFields, MemberState, AccountState]).nullable(),
  after: z.union([KeyFields, MemberState, AccountState]).nullable(),
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string(),
});

export const AuditData = z.object({ entries: z.array(AuditEntry) });

/** A key as the dashboard lists it: the summary, and when it was revoked on a revoked one. */
export const DashboardKey = KeySummary.extend({ revokedAt: Timestamp.optional() });

export const InactiveKeysData = z.object({ keys: z.array(DashboardKey) });

export type AuditEntry = z.infer<typeof AuditEntry>;
export type DashboardKey = z.infer<typeof DashboardKey>;

export const DASHBOARD_SCHEMAS = {
  session: { request: SignInRequest, response: VerifyApiKeyData },
  sessionEnd: { request: EmptyRequest, response: SignedOutData },
  sessionCurrent: { request: EmptyRequest, response: CurrentSessionData },
  audit: { request: AuditRequest, response: AuditData },
  inactiveKeys: { request: EmptyRequest, response: InactiveKeysData },
} as const satisfies Record<DashboardEndpoint, { request: z.ZodType; response: z.ZodType }>;

/** The body each dashboard endpoint takes, and the `data` it answers. */
export type DashboardRequest<E extends DashboardEndpoint> = z.input<(typeof DASHBOARD_SCHEMAS)[E]['request']>;
export type DashboardData<E extends DashboardEndpoint> = z.output<(typeof DASHBOARD_SCHEMAS)[E]['response']>;
