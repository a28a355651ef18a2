/**
 * Request and response schemas of the dashboard's own endpoints (paths in dashboard.ts),
 * keyed like DASHBOARD_API. The server validates bodies with the request schemas and types
 * its answers by the response schemas; the dashboard imports only the types, so no zod
 * reaches the browser.
 */
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_RESULTS } from './audit.js';
import { AUDIT_LIMIT_MAX, type DashboardEndpoint } from './dashboard.js';
import {
  AccountState,
  CodeSentData,
  Email,
  Id,
  KeyFields,
  KeySummary,
  MemberState,
  OtpCode,
  RequestCodeRequest,
  RevokeKeyData,
  RevokeKeyRequest,
  RoleEnum,
  ScopeEnum,
  SettingsState,
  Timestamp,
  VerifyApiKeyData,
} from './schemas.js';

// ---- requests -------------------------------------------------------------

export const SignInRequest = z.strictObject({ apiKey: z.string().max(200) });
export const EmptyRequest = z.strictObject({});
export const AuditRequest = z.strictObject({ keyId: Id, limit: z.number().int().min(1).max(AUDIT_LIMIT_MAX).optional() });

// ---- responses (the `data` of the success envelope) -----------------------

export const SignedOutData = z.object({ signedOut: z.literal(true) });

export const ChooseOrganizationRequest = z.strictObject({ organizationId: Id });

/** A person signed in by e-mailed code, acting in one organization with the scopes of their role there now. */
export const UserSessionData = z.object({
  type: z.literal('user'),
  userId: z.string(),
  email: z.string(),
  role: RoleEnum,
  organizationId: z.string(),
  organizationName: z.string(),
  /** owner, admin: all ten; member: all but api-keys:manage. */
  scopes: z.array(ScopeEnum),
});

/** One organization a person signed in by code may choose. */
export const OrganizationChoice = z.object({ organizationId: z.string(), organizationName: z.string(), role: RoleEnum });
export const ChooseOrganization = z.object({ email: z.string(), organizations: z.array(OrganizationChoice) });

export const SignedInUserData = UserSessionData.extend({ signedIn: z.literal(true) });

export const CurrentSessionData = z.union([
  /** `chooseOrganization`: a person signed in by code who belongs to several organizations and has chosen none yet. */
  z.object({ signedIn: z.literal(false), chooseOrganization: ChooseOrganization.optional() }),
  VerifyApiKeyData.extend({ signedIn: z.literal(true) }),
  SignedInUserData,
]);

export const MyKeysData = z.object({ keys: z.array(KeySummary) });

export const CodeSignInRequest = z.strictObject({ email: Email, code: OtpCode });
/** Signed in (one organization), or the organizations to choose from (several). */
export const CodeSignInData = z.union([
  SignedInUserData,
  z.object({ signedIn: z.literal(false), chooseOrganization: ChooseOrganization }),
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
  before: z.union([KeyFields, MemberState, AccountState, SettingsState]).nullable(),
  after: z.union([KeyFields, MemberState, AccountState, SettingsState]).nullable(),
  sourceIp: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string(),
});

export const AuditData = z.object({ entries: z.array(AuditEntry) });

/** A key as the dashboard lists it: the summary, and when it was revoked on a revoked one. */
export const DashboardKey = KeySummary.extend({ revokedAt: Timestamp.optional() });

export const InactiveKeysData = z.object({ keys: z.array(DashboardKey) });

export type AuditEntry = z.infer<typeof AuditEntry>;
export type UserSessionData = z.infer<typeof UserSessionData>;
export type OrganizationChoice = z.infer<typeof OrganizationChoice>;
export type ChooseOrganization = z.infer<typeof ChooseOrganization>;
export type DashboardKey = z.infer<typeof DashboardKey>;

export const DASHBOARD_SCHEMAS = {
  session: { request: SignInRequest, response: VerifyApiKeyData },
  sessionEnd: { request: EmptyRequest, response: SignedOutData },
  sessionCurrent: { request: EmptyRequest, response: CurrentSessionData },
  audit: { request: AuditRequest, response: AuditData },
  inactiveKeys: { request: EmptyRequest, response: InactiveKeysData },
  codeRequest: { request: RequestCodeRequest, response: CodeSentData },
  codeComplete: { request: CodeSignInRequest, response: CodeSignInData },
  sessionOrganization: { request: ChooseOrganizationRequest, response: SignedInUserData },
  myKeys: { request: EmptyRequest, response: MyKeysData },
  myKeysRevoke: { request: RevokeKeyRequest, response: RevokeKeyData },
} as const satisfies Record<DashboardEndpoint, { request: z.ZodType; response: z.ZodType }>;

/** The body each dashboard endpoint takes, and the `data` it answers. */
export type DashboardRequest<E extends DashboardEndpoint> = z.input<(typeof DASHBOARD_SCHEMAS)[E]['request']>;
export type DashboardData<E extends DashboardEndpoint> = z.output<(typeof DASHBOARD_SCHEMAS)[E]['response']>;
