/**
 * Request and response schemas of every operation (zod 4). The server validates
 * bodies with the request schemas and generates /openapi.json from all of them.
 * Semantic rules that need more than shape (unknown scope names → INVALID_SCOPES,
 * "at least one field" → NO_FIELDS, scopes vs addScopes/removeScopes) are checked
 * by the server after shape validation, in the order the spec gives.
 */
import { z } from 'zod';
import { DESCRIPTION_MAX, EXPIRES_IN_DAYS_MAX, NAME_MAX } from './operations.js';
import { SCOPES } from './scopes.js';

// C0 controls, DEL and C1 controls are refused in names; descriptions may hold \t and \n.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const DESCRIPTION_FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

export const KeyName = z
  .string()
  .trim()
  .min(1, 'name must not be empty')
  .max(NAME_MAX, `name must be at most ${NAME_MAX} characters`)
  .refine((s) => !NAME_FORBIDDEN.test(s), 'name must not contain control characters');

export const KeyDescription = z
  .string()
  .max(DESCRIPTION_MAX, `description must be at most ${DESCRIPTION_MAX} characters`)
  .refine((s) => !DESCRIPTION_FORBIDDEN.test(s), 'description must not contain control characters');

/** Scope names as sent; membership in the ten scopes is judged later (INVALID_SCOPES). */
export const ScopeNameList = z.array(z.string().max(64)).max(64);

export const Id = z.string().min(1).max(128);
export const Timestamp = z.iso.datetime({ precision: 3 });
export const ScopeEnum = z.enum(SCOPES);
export const KeyTypeEnum = z.enum(['org-api-key', 'personal-api-key', 'admin-api-key']);

// ---- requests -------------------------------------------------------------

export const VerifyApiKeyRequest = z.strictObject({});

export const CreateKeyRequest = z.strictObject({
  organizationId: Id,
  name: KeyName,
  scopes: ScopeNameList,
  description: KeyDescription.optional(),
  expiresInDays: z.number().int().min(1).max(EXPIRES_IN_DAYS_MAX).optional(),
});

export const UpdateKeyRequest = z.strictObject({
  keyId: Id,
  scopes: ScopeNameList.optional(),
  name: KeyName.optional(),
  description: KeyDescription.optional(),
  addScopes: ScopeNameList.optional(),
  removeScopes: ScopeNameList.optional(),
  dryRun: z.boolean().optional(),
  force: z.boolean().optional(),
});

export const ListKeysRequest = z.strictObject({ organizationId: Id.optional() });
export const GetKeyRequest = z.strictObject({ keyId: Id });
export const RevokeKeyRequest = z.strictObject({ keyId: Id });

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

export const KeyFields = z.object({
  name: z.string(),
  description: z.string(),
  scopes: z.array(ScopeEnum),
});

export const UpdateKeyData = z.object({
  keyId: z.string(),
  name: z.string(),
  description: z.string(),
  scopes: z.array(ScopeEnum),
  updatedAt: Timestamp,
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
  createdBy: z.object({ userId: z.string(), email: z.string() }),
});

export const ListKeysData = z.object({ keys: z.array(KeySummary) });
export const GetKeyData = KeySummary;
export const RevokeKeyData = z.object({ keyId: z.string(), revokedAt: Timestamp });

export const ErrorBody = z.object({
  success: z.literal(false),
  error: z.object({
    code: z.string(),
    message: z.string(),
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
export type UpdateKeyData = z.infer<typeof UpdateKeyData>;
export type KeySummary = z.infer<typeof KeySummary>;
export type ListKeysData = z.infer<typeof ListKeysData>;
export type RevokeKeyData = z.infer<typeof RevokeKeyData>;

/** Request and response schema of each operation, keyed like OPERATIONS. */
export const OPERATION_SCHEMAS = {
  verifyApiKey: {
    request: VerifyApiKeyRequest,
    response: VerifyApiKeyData,
    summary: 'Who am I: identity and scopes of the calling key',
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
} as const;
