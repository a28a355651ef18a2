/**
 * Request and response schemas of every operation (zod 4). The server validates
 * bodies with the request schemas and generates /openapi.json from all of them.
 * Names and descriptions are judged by the plain rules of rules.ts, which the CLI uses too.
 * Rules that need more than one field or the scope list (unknown scope names → INVALID_SCOPES,
 * "at least one field" → NO_FIELDS, scopes vs addScopes/removeScopes: rules.ts keyUpdateProblem)
 * are checked by the server after shape validation (docs/server.md, Order of checks).
 */
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_EVENTS_LIMIT_MAX, AUDIT_RESULTS } from './audit.js';
import { CODE_DIGITS, KEY_SORTS, KEY_STATES, ORGANIZATION_SIZES, ROLES } from './operations.js';
import {
  ALLOWED_IPS_MAX,
  DESCRIPTION_MAX,
  descriptionProblem,
  EMAIL_MAX,
  EXPIRES_IN_DAYS_MAX,
  GRACE_PERIOD_MAX_SECONDS,
  MAX_KEY_LIFETIME_DAYS_MAX,
  NAME_MAX,
  nameProblem,
  ORGANIZATION_DESCRIPTION_MAX,
  ORGANIZATION_NAME_MAX,
} from './rules.js';
import { SCOPES } from './scopes.js';

// C0 controls, DEL and C1 controls: never in an id.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const ID_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A string judged by one of the plain rules of rules.ts (the CLI judges its options with the same
 * function); `jsonSchema` states the same limits in the OpenAPI document.
 */
function ruled(
  base: z.ZodString,
  field: string,
  problem: (value: string) => string | undefined,
  jsonSchema: { minLength?: number; maxLength: number },
) {
  return base
    .superRefine((value, ctx) => {
      const why = problem(value);
      if (why !== undefined) ctx.addIssue({ code: 'custom', message: `${field} ${why}` });
    })
    .meta(jsonSchema);
}

/**
 * Trimmed and stored in NFC (a decomposed é becomes one code point, and the limit counts the
 * composed text); 1–NAME_MAX characters; no control characters, no bidirectional controls or
 * invisible formatting characters, no unpaired surrogate (rules.ts).
 */
export const KeyName = ruled(z.string().trim().normalize('NFC'), 'name', (v) => nameProblem(v, NAME_MAX), {
  minLength: 1,
  maxLength: NAME_MAX,
});

/** Stored in NFC; at most DESCRIPTION_MAX characters, no control characters but tab and newline, nor what names refuse. */
export const KeyDescription = ruled(z.string().normalize('NFC'), 'description', (v) => descriptionProblem(v, DESCRIPTION_MAX), {
  maxLength: DESCRIPTION_MAX,
});

/** Scope names as sent; membership in the ten scopes is judged later (INVALID_SCOPES). */
export const ScopeNameList = z.array(z.string().max(64)).max(64);

/**
 * An id sent by a client (key, organization, user): refused when it holds a control character —
 * PostgreSQL cannot store a NUL in text at all (so the same id would answer 404 on SQLite and
 * fail on PostgreSQL), and none of the server's ids ever holds one.
 */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => !ID_FORBIDDEN.test(s), 'id must not contain control characters');
export const Timestamp = z.iso.datetime({ precision: 3 });
export const ScopeEnum = z.enum(SCOPES);
export const KeyTypeEnum = z.enum(['org-api-key', 'personal-api-key', 'admin-api-key']);

// ---- requests -------------------------------------------------------------

/** How `requiredScopes` of /verifyapikey are matched: the key holds all of them, or at least one. */
export const SCOPE_MATCHES = ['all', 'any'] as const;
/**
 * Empty (what the public CLI sends): who am I. With `requiredScopes`, also "may this key do
 * that?": 403 INSUFFICIENT_SCOPE with `details.missing` when the key lacks them (`match`:
 * `all`, the default, or `any`). Unknown scope names answer 400 INVALID_SCOPES.
 */
export const VerifyApiKeyRequest = z.strictObject({
  requiredScopes: ScopeNameList.optional(),
  match: z.enum(SCOPE_MATCHES).optional(),
});

export const CreateKeyRequest = z.strictObject({
  organizationId: Id,
  name: KeyName,
  scopes: ScopeNameList,
  description: KeyDescription.optional(),
  expiresInDays: z.number().int().min(1).max(EXPIRES_IN_DAYS_MAX).optional(),
});

/**
 * One entry of a key's IP allowlist as sent: an IPv4 or IPv6 address or CIDR range. Its syntax
 * is judged by the server with ipaddr.js (a range with host bits set is refused, naming the
 * network it probably meant); here only its length.
 */
export const AllowedIpEntry = z.string().min(1).max(64);
/** A key's IP allowlist: 1–ALLOWED_IPS_MAX entries (null in an update removes it). */
export const AllowedIpList = z.array(AllowedIpEntry).min(1).max(ALLOWED_IPS_MAX);
/** An instant sent by a client: ISO 8601 with `Z` or an offset; the server stores it in UTC with milliseconds. */
export const InstantInput = z.iso.datetime({ offset: true });

export const UpdateKeyRequest = z.strictObject({
  keyId: Id,
  scopes: ScopeNameList.optional(),
  name: KeyName.optional(),
  description: KeyDescription.optional(),
  addScopes: ScopeNameList.optional(),
  removeScopes: ScopeNameList.optional(),
  dryRun: z.boolean().optional(),
  force: z.boolean().optional(),
  /** A new expiry (in the future, at most EXPIRES_IN_DAYS_MAX days away); null: the key never expires. */
  expiresAt: InstantInput.nullable().optional(),
  /** false: the key authenticates nowhere until enabled again. */
  enabled: z.boolean().optional(),
  /** Addresses and CIDR ranges the key may be used from; null removes the allowlist. */
  allowedIps: AllowedIpList.nullable().optional(),
});

/**
 * A new secret for the same key. The old secret keeps working `gracePeriodSeconds` more (0: it
 * ends at once), never past the key's expiry; `expiresInDays` sets a new expiry for the key.
 */
export const RotateKeyRequest = z.strictObject({
  keyId: Id,
  gracePeriodSeconds: z.number().int().min(0).max(GRACE_PERIOD_MAX_SECONDS),
  expiresInDays: z.number().int().min(1).max(EXPIRES_IN_DAYS_MAX).optional(),
});

export const GetSettingsRequest = z.strictObject({});
/** Owners only. `maxKeyLifetimeDays`: null removes the maximum. */
export const UpdateSettingsRequest = z.strictObject({
  maxKeyLifetimeDays: z.number().int().min(1).max(MAX_KEY_LIFETIME_DAYS_MAX).nullable(),
});

/**
 * `state` (default live), `unusedSince` (keys with no use at or after that time, created before
 * it), `expiresBefore` (keys with an expiry before that time), `sort` (default created). The
 * public CLI sends `{}` or `{ organizationId }`: the live keys, oldest first, as always.
 */
export const ListKeysRequest = z.strictObject({
  organizationId: Id.optional(),
  state: z.enum(KEY_STATES).optional(),
  unusedSince: Timestamp.optional(),
  expiresBefore: Timestamp.optional(),
  sort: z.enum(KEY_SORTS).optional(),
});
export const GetKeyRequest = z.strictObject({ keyId: Id });
export const RevokeKeyRequest = z.strictObject({ keyId: Id });

// accounts (e-mailed codes, sign-up, sign-in, organizations) and members

/**
 * An e-mail address: trimmed, at most 254 characters, in the WHATWG (HTML `input type=email`)
 * form — ASCII, no whitespace, control characters, quotes, `<>` or commas (no header
 * injection), and a domain that may be a single label (`owner@localhost`, the first-run owner).
 */
export const Email = z
  .string()
  .trim()
  .max(EMAIL_MAX, `email must be at most ${EMAIL_MAX} characters`)
  .pipe(z.email({ pattern: z.regexes.html5Email, message: 'email must be an e-mail address' }));
export const OtpCode = z
  .string()
  .trim()
  .regex(new RegExp(`^[0-9]{${CODE_DIGITS}}$`), `code must be ${CODE_DIGITS} digits`);
export const OrganizationName = ruled(z.string().trim().normalize('NFC'), 'name', (v) => nameProblem(v, ORGANIZATION_NAME_MAX), {
  minLength: 1,
  maxLength: ORGANIZATION_NAME_MAX,
});
export const OrganizationDescription = ruled(
  z.string().normalize('NFC'),
  'description',
  (v) => descriptionProblem(v, ORGANIZATION_DESCRIPTION_MAX),
  { maxLength: ORGANIZATION_DESCRIPTION_MAX },
);
export const RoleEnum = z.enum(ROLES);
const ExpiresInDays = z.number().int().min(1).max(EXPIRES_IN_DAYS_MAX);
/** The key a sign-up or sign-in mints. */
const MintedKeyOptions = z.strictObject({ name: KeyName.optional(), expiresInDays: ExpiresInDays.optional() });

export const RequestCodeRequest = z.strictObject({ email: Email });
export const CompleteSignupRequest = z.strictObject({
  email: Email,
  code: OtpCode,
  company: z.strictObject({ name: OrganizationName.optional(), description: OrganizationDescription.optional() }).optional(),
  apiKey: MintedKeyOptions.optional(),
});
export const CompleteLoginRequest = z.strictObject({
  email: Email,
  code: OtpCode,
  organizationId: Id.optional(),
  apiKey: MintedKeyOptions.optional(),
});
/**
 * The public protocol's fields; this server refuses the logo and n8n ones with
 * UNSUPPORTED_FIELD (naming the field) rather than dropping them.
 */
export const CreateOrganizationRequest = z.strictObject({
  name: OrganizationName,
  description: OrganizationDescription.optional(),
  size: z.enum(ORGANIZATION_SIZES).optional(),
  logoUrl: z.string().optional(),
  logoBase64: z.string().optional(),
  logoMimeType: z.string().optional(),
  n8nBaseUrl: z.string().optional(),
  n8nApiKey: z.string().optional(),
  storeCredentialCopy: z.boolean().optional(),
});
/** Fields of CreateOrganizationRequest this server does not support (UNSUPPORTED_FIELD). */
export const UNSUPPORTED_ORGANIZATION_FIELDS = [
  'logoUrl',
  'logoBase64',
  'logoMimeType',
  'n8nBaseUrl',
  'n8nApiKey',
  'storeCredentialCopy',
] as const;

export const ListMembersRequest = z.strictObject({});
export const AddMemberRequest = z.strictObject({ email: Email, role: RoleEnum });
/** A member is named by `userId` or `email`, exactly one of them. */
export const UpdateMemberRequest = z.strictObject({ userId: Id.optional(), email: Email.optional(), role: RoleEnum });
export const RemoveMemberRequest = z.strictObject({ userId: Id.optional(), email: Email.optional() });

// audit log

export const AuditActionEnum = z.enum(AUDIT_ACTIONS);
/** `dry_run`: an update previewed with dryRun (the stored value; the CLI also takes `dry-run`). */
export const AuditOutcomeEnum = z.enum(AUDIT_RESULTS);
/** The position after which a page starts: the `nextCursor` of the page before, as it was answered. */
export const AuditCursor = z.string().min(1).max(200);
/**
 * Filters combine with AND; `action` takes one action or a list of them (any of). `since` is
 * inclusive, `until` exclusive. Pages run newest first (by event id, which is time-ordered).
 */
export const ListAuditEventsRequest = z.strictObject({
  keyId: Id.optional(),
  actorKeyId: Id.optional(),
  actorUserId: Id.optional(),
  action: z.union([AuditActionEnum, z.array(AuditActionEnum).min(1).max(AUDIT_ACTIONS.length)]).optional(),
  outcome: AuditOutcomeEnum.optional(),
  since: Timestamp.optional(),
  until: Timestamp.optional(),
  cursor: AuditCursor.optional(),
  limit: z.number().int().min(1).max(AUDIT_EVENTS_LIMIT_MAX).optional(),
});

// ---- responses (the `data` of the success envelope) -----------------------

export const VerifyApiKeyData = z.object({
  type: KeyTypeEnum,
  keyId: z.string(),
  keyName: z.string(),
  keyPrefix: z.string(),
  scopes: z.array(ScopeEnum),
  organizationId: z.string(),
  organizationName: z.string(),
  createdAt: Timestamp,
  expiresAt: Timestamp.optional(),
  lastUsedAt: Timestamp.optional(),
  /** Present only when the key was presented with its previous secret (a rotation's grace period): move to the new one before this. */
  rotation: z.object({ previousSecretExpiresAt: Timestamp }).optional(),
});

export const CreateKeyData = z.object({
  keyId: z.string(),
  apiKey: z.string().describe('The raw key. Returned here once and never again.'),
  keyPrefix: z.string(),
  name: z.string(),
  description: z.string(),
  scopes: z.array(ScopeEnum),
  createdAt: Timestamp,
  expiresAt: Timestamp.optional(),
});

/** The mutable fields of a key: `previous` of an update, an audit row's before/after of a key action. */
export const KeyFields = z.object({
  name: z.string(),
  description: z.string(),
  /** Canonical order (alphabetical, see canonicalScopes), no duplicates. */
  scopes: z.array(ScopeEnum),
  // The lifecycle fields are present only when not at their default: absent expiresAt = never
  // expires, absent enabled = enabled, absent allowedIps = usable from anywhere.
  expiresAt: Timestamp.optional(),
  enabled: z.literal(false).optional(),
  allowedIps: z.array(z.string()).optional(),
});

/** What an audit row of a member change records before and after. */
export const MemberState = z.object({ email: z.string(), role: RoleEnum });
/** What an audit row of an account event (sign-up, sign-in, failed code) records: the address, and which code. */
export const AccountState = z.object({ email: z.string(), purpose: z.enum(['signup', 'login']).optional() });

export const UpdateKeyData = z.object({
  keyId: z.string(),
  name: z.string(),
  description: z.string(),
  scopes: z.array(ScopeEnum),
  updatedAt: Timestamp,
  // Lifecycle fields, present only when not at their default (as in KeyFields).
  expiresAt: Timestamp.optional(),
  enabled: z.literal(false).optional(),
  allowedIps: z.array(z.string()).optional(),
  previous: KeyFields.optional(),
  dryRun: z.boolean().optional(),
});

export const KeySummary = z.object({
  keyId: z.string(),
  name: z.string(),
  description: z.string(),
  keyPrefix: z.string(),
  scopes: z.array(ScopeEnum),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  expiresAt: Timestamp.optional(),
  lastUsedAt: Timestamp.optional(),
  /** The client address of the last recorded use (recorded with lastUsedAt, at most once a minute). */
  lastUsedIp: z.string().optional(),
  /** Only on a revoked key (listed with state: revoked). */
  revokedAt: Timestamp.optional(),
  createdBy: z.object({ userId: z.string(), email: z.string() }),
  /** false: disabled, it authenticates nowhere until enabled. */
  enabled: z.boolean(),
  /** Present when the key may be used only from these addresses and ranges. */
  allowedIps: z.array(z.string()).optional(),
  /** Present while a rotation's previous secret still works (its grace period). */
  previousSecretExpiresAt: Timestamp.optional(),
});

export const ListKeysData = z.object({ keys: z.array(KeySummary) });
export const GetKeyData = KeySummary;
export const RevokeKeyData = z.object({ keyId: z.string(), revokedAt: Timestamp });

/** A rotation's answer: the create answer's shape (the new raw key, once), and when the old secret stops working. */
export const RotateKeyData = CreateKeyData.extend({
  rotatedAt: Timestamp,
  /** Absent when the old secret ended at once (a grace period of 0, or the key expires now). */
  previousSecretExpiresAt: Timestamp.optional(),
});

export const OrganizationSettings = z.object({
  organizationId: z.string(),
  /** No key may be made to live longer than this many days from the change that sets its expiry; null: no maximum. */
  maxKeyLifetimeDays: z.number().int().nullable(),
});
/** A live key that breaks the organization's maximum lifetime (no expiry, or a later one): reported, not cut. */
export const KeyBreakingPolicy = z.object({
  keyId: z.string(),
  name: z.string(),
  keyPrefix: z.string(),
  expiresAt: Timestamp.optional(),
});
export const SettingsData = OrganizationSettings.extend({ keysExceedingPolicy: z.array(KeyBreakingPolicy) });
export const UpdateSettingsData = SettingsData.extend({
  previous: z.object({ maxKeyLifetimeDays: z.number().int().nullable() }),
});
/** What an audit row of a settings change records before and after. */
export const SettingsState = z.object({ maxKeyLifetimeDays: z.number().int().nullable() });

// accounts and members

export const CodeSentData = z.object({ email: z.string(), expiresInSeconds: z.number().int() });
/** The key minted by sign-up and sign-in; `raw` is shown this once. */
export const MintedKey = z.object({
  raw: z.string().describe('The raw key. Returned here once and never again.'),
  keyId: z.string(),
  keyPrefix: z.string(),
  name: z.string(),
  scopes: z.array(ScopeEnum),
  createdAt: Timestamp,
  expiresAt: Timestamp.optional(),
});
export const SignedInData = z.object({
  organizationId: z.string(),
  organizationName: z.string(),
  /** True on sign-up (a new user); the public CLI prints it with --json. */
  isNewUser: z.boolean().optional(),
  apiKey: MintedKey,
});
export const CreateOrganizationData = z.object({ organizationId: z.string() });

export const Member = z.object({
  userId: z.string(),
  email: z.string(),
  role: RoleEnum,
  joinedAt: Timestamp,
  lastSignInAt: Timestamp.optional(),
  /** Live keys this member created in the organization. */
  liveKeyCount: z.number().int(),
});
export const ListMembersData = z.object({ members: z.array(Member) });
export const MemberChangeData = z.object({
  member: Member,
  /** The role before the change (update), absent on add. */
  previousRole: RoleEnum.optional(),
});
export const RemoveMemberData = z.object({
  userId: z.string(),
  email: z.string(),
  /** The member's keys revoked with the removal. */
  revokedKeyIds: z.array(z.string()),
});

/** Before/after of an audit event: a key's fields, a member's state or an account event's address. */
export const AuditState = z.union([KeyFields, MemberState, AccountState, SettingsState]);

/** One event of the audit log: one attempt that was answered (allowed, denied or previewed). */
export const AuditEvent = z.object({
  eventId: z.string(),
  at: Timestamp,
  action: AuditActionEnum,
  outcome: AuditOutcomeEnum,
  /** The error code of a denied attempt (and LAST_OWNER on an operator's forced member change). */
  reason: z.string().optional(),
  /** Who: the key (absent for the operator and for people signed in by code), the user, from where. */
  actor: z.object({
    keyId: z.string().optional(),
    userId: z.string().optional(),
    ip: z.string().optional(),
    userAgent: z.string().optional(),
  }),
  /** On what: the key as it was named (it may not exist), the person a member or account event is about. */
  target: z.object({ keyId: z.string().optional(), userId: z.string().optional() }),
  before: AuditState.nullable(),
  after: AuditState.nullable(),
  requestId: z.string(),
});
/** `nextCursor`: present when older events may follow; pass it as `cursor` for the next page. */
export const ListAuditEventsData = z.object({ events: z.array(AuditEvent), nextCursor: z.string().optional() });

export const ErrorBody = z.object({
  success: z.literal(false),
  error: z.object({
    code: z.string(),
    message: z.string(),
    nextAction: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
  requestId: z.string(),
});

export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>;
export type UpdateKeyRequest = z.infer<typeof UpdateKeyRequest>;
export type ListKeysRequest = z.infer<typeof ListKeysRequest>;
export type GetKeyRequest = z.infer<typeof GetKeyRequest>;
export type RevokeKeyRequest = z.infer<typeof RevokeKeyRequest>;
export type VerifyApiKeyData = z.infer<typeof VerifyApiKeyData>;
export type CreateKeyData = z.infer<typeof CreateKeyData>;
export type KeyFields = z.infer<typeof KeyFields>;
export type MemberState = z.infer<typeof MemberState>;
export type AccountState = z.infer<typeof AccountState>;
export type UpdateKeyData = z.infer<typeof UpdateKeyData>;
export type KeySummary = z.infer<typeof KeySummary>;
export type ListKeysData = z.infer<typeof ListKeysData>;
export type RevokeKeyData = z.infer<typeof RevokeKeyData>;
export type RequestCodeRequest = z.infer<typeof RequestCodeRequest>;
export type CompleteSignupRequest = z.infer<typeof CompleteSignupRequest>;
export type CompleteLoginRequest = z.infer<typeof CompleteLoginRequest>;
export type CreateOrganizationRequest = z.infer<typeof CreateOrganizationRequest>;
export type CodeSentData = z.infer<typeof CodeSentData>;
export type MintedKey = z.infer<typeof MintedKey>;
export type SignedInData = z.infer<typeof SignedInData>;
export type CreateOrganizationData = z.infer<typeof CreateOrganizationData>;
export type AddMemberRequest = z.infer<typeof AddMemberRequest>;
export type UpdateMemberRequest = z.infer<typeof UpdateMemberRequest>;
export type RemoveMemberRequest = z.infer<typeof RemoveMemberRequest>;
export type Member = z.infer<typeof Member>;
export type ListMembersData = z.infer<typeof ListMembersData>;
export type MemberChangeData = z.infer<typeof MemberChangeData>;
export type RemoveMemberData = z.infer<typeof RemoveMemberData>;
export type VerifyApiKeyRequest = z.infer<typeof VerifyApiKeyRequest>;
export type ListAuditEventsRequest = z.infer<typeof ListAuditEventsRequest>;
export type AuditEvent = z.infer<typeof AuditEvent>;
export type ListAuditEventsData = z.infer<typeof ListAuditEventsData>;
export type RotateKeyRequest = z.infer<typeof RotateKeyRequest>;
export type RotateKeyData = z.infer<typeof RotateKeyData>;
export type UpdateSettingsRequest = z.infer<typeof UpdateSettingsRequest>;
export type OrganizationSettings = z.infer<typeof OrganizationSettings>;
export type KeyBreakingPolicy = z.infer<typeof KeyBreakingPolicy>;
export type SettingsData = z.infer<typeof SettingsData>;
export type UpdateSettingsData = z.infer<typeof UpdateSettingsData>;
export type SettingsState = z.infer<typeof SettingsState>;

/** Request and response schema of each operation, keyed like OPERATIONS. */
export const OPERATION_SCHEMAS = {
  verifyApiKey: {
    request: VerifyApiKeyRequest,
    response: VerifyApiKeyData,
    summary: 'Who am I: identity and scopes of the calling key; with requiredScopes, also whether it holds them',
  },
  createKey: {
    request: CreateKeyRequest,
    response: CreateKeyData,
    summary: 'Create an organization API key (raw key returned once)',
  },
  updateKey: {
    request: UpdateKeyRequest,
    response: UpdateKeyData,
    summary: 'Update the scopes, name or description of an organization API key',
  },
  listKeys: { request: ListKeysRequest, response: ListKeysData, summary: 'List the live API keys of an organization' },
  getKey: { request: GetKeyRequest, response: GetKeyData, summary: 'Get one live API key' },
  revokeKey: {
    request: RevokeKeyRequest,
    response: RevokeKeyData,
    summary: 'Revoke an API key; it stops authenticating at once',
  },
  requestSignupCode: {
    request: RequestCodeRequest,
    response: CodeSentData,
    summary: 'E-mail a one-time sign-up code (answers alike whether or not the address has an account)',
  },
  completeSignup: {
    request: CompleteSignupRequest,
    response: SignedInData,
    summary: 'Sign up with the e-mailed code: creates the user, an organization they own and a key (raw key returned once)',
  },
  requestLoginCode: {
    request: RequestCodeRequest,
    response: CodeSentData,
    summary: 'E-mail a one-time sign-in code (answers alike whether or not the address has an account)',
  },
  completeLogin: {
    request: CompleteLoginRequest,
    response: SignedInData,
    summary: "Sign in with the e-mailed code: mints a fresh key in one of the user's organizations (raw key returned once)",
  },
  createOrganization: {
    request: CreateOrganizationRequest,
    response: CreateOrganizationData,
    summary: "Create an organization owned by the calling key's user",
  },
  listMembers: { request: ListMembersRequest, response: ListMembersData, summary: 'List the members of the organization' },
  addMember: {
    request: AddMemberRequest,
    response: MemberChangeData,
    summary: 'Add a person by e-mail with a role (creates the user when new; they sign in by code)',
  },
  updateMember: { request: UpdateMemberRequest, response: MemberChangeData, summary: "Change a member's role" },
  removeMember: {
    request: RemoveMemberRequest,
    response: RemoveMemberData,
    summary: 'Remove a member; their keys in the organization are revoked in the same transaction',
  },
  listAuditEvents: {
    request: ListAuditEventsRequest,
    response: ListAuditEventsData,
    summary: "Query the organization's audit log: filters, newest first, cursor pagination",
  },
  rotateKey: {
    request: RotateKeyRequest,
    response: RotateKeyData,
    summary: 'Rotate a key: a new secret (returned once) for the same key; the old one works for its grace period',
  },
  getSettings: {
    request: GetSettingsRequest,
    response: SettingsData,
    summary: "The organization's settings (the maximum key lifetime) and the live keys that break them",
  },
  updateSettings: {
    request: UpdateSettingsRequest,
    response: UpdateSettingsData,
    summary: "Change the organization's settings (owners); keys that break a tightened maximum are reported, not cut",
  },
} as const;
