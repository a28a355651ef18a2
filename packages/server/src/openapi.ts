/**
 * The OpenAPI 3.1 document served at /openapi.json, generated from the contract:
 * request schemas (zod 4 → JSON Schema draft 2020-12, as input), `data` schemas of the
 * success envelope, the failure envelope with every error code and its status, and the
 * API-key security scheme.
 */
import { ERROR_CODES, type ErrorCode } from '@codika/contract/errors';
import { API_KEY_HEADER, OPERATIONS, type OperationName, REQUEST_ID_HEADER } from '@codika/contract/operations';
import { OPERATION_SCHEMAS } from '@codika/contract/schemas';
import { z } from 'zod';

type JsonObject = Record<string, unknown>;

/** Every operation: the body's and the transport's refusals, and the server's own failures. */
const COMMON_ERRORS: ErrorCode[] = [
  'VALIDATION_ERROR',
  'REQUEST_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'HEADERS_TOO_LARGE',
  'INTERNAL',
  'SERVICE_UNAVAILABLE',
];
/**
 * Operations that take a key answer UNAUTHENTICATED too, and RATE_LIMITED (guesses from one
 * address past their budget; requests of one key waiting past their turn); the e-mailed-code
 * ones take none.
 */
const KEY_ERRORS: ErrorCode[] = ['UNAUTHENTICATED', 'RATE_LIMITED'];
const MANAGE_ERRORS: ErrorCode[] = ['INSUFFICIENT_SCOPE', 'NOT_ORG_ADMIN'];

/** Error codes each operation may answer, besides the common ones. */
export const OPERATION_ERRORS: Record<OperationName, ErrorCode[]> = {
  // A person's dashboard session (signed in by code) has no key to describe or to act with.
  // With requiredScopes: the scopes the key lacks (details.missing), unknown scope names.
  verifyApiKey: ['API_KEY_REQUIRED', 'INSUFFICIENT_SCOPE', 'INVALID_SCOPES'],
  createKey: [
    ...MANAGE_ERRORS,
    'INVALID_SCOPES',
    'ORGANIZATION_NOT_FOUND',
    'SCOPE_ESCALATION',
    'MAX_API_KEYS_REACHED',
    'KEY_LIFETIME_EXCEEDED',
  ],
  updateKey: [
    ...MANAGE_ERRORS,
    'NO_FIELDS',
    'INVALID_SCOPES',
    'KEY_NOT_FOUND',
    'ROLE_HIERARCHY',
    'SCOPE_ESCALATION',
    'SELF_LOCKOUT',
    'KEY_LIFETIME_EXCEEDED',
  ],
  listKeys: [...MANAGE_ERRORS, 'ORGANIZATION_NOT_FOUND'],
  getKey: [...MANAGE_ERRORS, 'KEY_NOT_FOUND', 'ROLE_HIERARCHY'],
  revokeKey: [...MANAGE_ERRORS, 'KEY_NOT_FOUND', 'ROLE_HIERARCHY'],
  requestSignupCode: ['SIGNUP_DISABLED', 'RATE_LIMITED', 'MAIL_UNAVAILABLE'],
  completeSignup: ['INVALID_CODE', 'SIGNUP_DISABLED', 'RATE_LIMITED'],
  requestLoginCode: ['RATE_LIMITED', 'MAIL_UNAVAILABLE'],
  completeLogin: [
    'INVALID_CODE',
    'MULTIPLE_ORGANIZATIONS',
    'NO_ORGANIZATION',
    'ORGANIZATION_NOT_FOUND',
    'MAX_API_KEYS_REACHED',
    'RATE_LIMITED',
  ],
  createOrganization: ['SIGNUP_DISABLED', 'UNSUPPORTED_FIELD', 'API_KEY_REQUIRED'],
  listMembers: [...MANAGE_ERRORS],
  addMember: [...MANAGE_ERRORS, 'ROLE_HIERARCHY', 'MEMBER_EXISTS'],
  updateMember: [...MANAGE_ERRORS, 'MEMBER_NOT_FOUND', 'ROLE_HIERARCHY', 'LAST_OWNER', 'SELF_ROLE_CHANGE'],
  removeMember: [...MANAGE_ERRORS, 'MEMBER_NOT_FOUND', 'ROLE_HIERARCHY', 'LAST_OWNER', 'SELF_ROLE_CHANGE'],
  listAuditEvents: [...MANAGE_ERRORS],
  rotateKey: [...MANAGE_ERRORS, 'KEY_NOT_FOUND', 'ROLE_HIERARCHY', 'KEY_LIFETIME_EXCEEDED'],
  getSettings: [...MANAGE_ERRORS],
  updateSettings: [...MANAGE_ERRORS, 'NOT_ORG_OWNER'],
};

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as JsonObject;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const requestIdHeader = {
  [REQUEST_ID_HEADER]: { description: 'UUIDv7 of the request, as in the body', schema: { type: 'string', format: 'uuid' } },
};

function errorResponses(codes: readonly ErrorCode[]): JsonObject {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: JsonObject = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = {
      description: list.join(', '),
      headers: requestIdHeader,
      content: {
        'application/json': {
          schema: {
            allOf: [ref('ErrorEnvelope')],
            properties: { error: { properties: { code: { enum: list } } } },
          },
        },
      },
    };
  }
  return responses;
}

export function buildOpenApiDocument(): JsonObject {
  const schemas: JsonObject = {
    ErrorCode: {
      type: 'string',
      enum: Object.keys(ERROR_CODES),
      description: Object.entries(ERROR_CODES)
        .map(([code, { status, message }]) => `${code} (${status}): ${message}`)
        .join('\n'),
    },
    ErrorEnvelope: {
      type: 'object',
      required: ['success', 'error', 'requestId'],
      properties: {
        success: { const: false },
        error: {
          type: 'object',
          required: ['code', 'message'],
          properties: {
            code: ref('ErrorCode'),
            message: { type: 'string' },
            nextAction: { type: 'string', description: 'A sentence for a person: what to do next' },
            details: { type: 'object', additionalProperties: true },
          },
        },
        requestId: { type: 'string', format: 'uuid' },
      },
    },
  };
  const paths: JsonObject = {};

  for (const name of Object.keys(OPERATIONS) as OperationName[]) {
    const op = OPERATIONS[name];
    const { request, response, summary } = OPERATION_SCHEMAS[name];
    const requestName = `${pascal(name)}Request`;
    const dataName = `${pascal(name)}Data`;
    schemas[requestName] = jsonSchema(request, 'input');
    schemas[dataName] = jsonSchema(response, 'output');
    paths[op.path] = {
      post: {
        operationId: name,
        summary,
        ...(op.scope === null
          ? {}
          : { description: `Requires the scope \`${op.scope}\`; the key's user must be admin or owner.` }),
        'x-required-scope': op.scope,
        security: op.auth === 'none' ? [] : [{ ApiKey: [] }],
        requestBody: { required: false, content: { 'application/json': { schema: ref(requestName) } } },
        responses: {
          '200': {
            description: 'Success',
            headers: requestIdHeader,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['success', 'data', 'requestId'],
                  properties: { success: { const: true }, data: ref(dataName), requestId: { type: 'string', format: 'uuid' } },
                },
              },
            },
          },
          ...errorResponses([...COMMON_ERRORS, ...(op.auth === 'none' ? [] : KEY_ERRORS), ...OPERATION_ERRORS[name]]),
        },
      },
    };
  }

  const status = (value: string) => ({
    type: 'object',
    required: ['status'],
    properties: { status: { const: value } },
  });
  paths['/healthz'] = {
    get: {
      operationId: 'healthz',
      summary: 'Liveness',
      security: [],
      responses: { '200': { description: 'Alive', content: { 'application/json': { schema: status('ok') } } } },
    },
  };
  paths['/readyz'] = {
    get: {
      operationId: 'readyz',
      summary: 'Readiness: the database answers',
      security: [],
      responses: {
        '200': { description: 'Ready', content: { 'application/json': { schema: status('ok') } } },
        '503': { description: 'Database unavailable', content: { 'application/json': { schema: status('unavailable') } } },
      },
    },
  };
  paths['/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      security: [],
      responses: {
        '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  };

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'codika platform API',
      version: '0.1.0',
      description:
        'Organization API keys of the Codika platform. Every operation is a POST with a JSON body; every answer is an envelope ' +
        '{success, data | error, requestId}.',
    },
    servers: [{ url: '/' }],
    security: [{ ApiKey: [] }],
    components: {
      securitySchemes: { ApiKey: { type: 'apiKey', in: 'header', name: API_KEY_HEADER } },
      schemas,
    },
    paths,
  };
}
