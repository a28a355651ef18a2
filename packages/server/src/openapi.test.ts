import { ERROR_CODES } from '@codika/contract/errors';
import { OPERATIONS } from '@codika/contract/operations';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi.js';

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
type Json = any;

describe('buildOpenApiDocument', () => {
  const doc: Json = buildOpenApiDocument();

  it('is an OpenAPI 3.1 document with the API-key security scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.components.securitySchemes.ApiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-Process-Manager-Key' });
    expect(doc.security).toEqual([{ ApiKey: [] }]);
  });

  it('has a POST operation for every contract operation, with request, envelope and error responses', () => {
    for (const [name, op] of Object.entries(OPERATIONS)) {
      const post = doc.paths[op.path]?.post;
      expect(post, op.path).toBeDefined();
      expect(post.operationId).toBe(name);
      const requestRef = post.requestBody.content['application/json'].schema.$ref as string;
      const request = doc.components.schemas[requestRef.split('/').at(-1) as string];
      expect(request.type).toBe('object');
      expect(request.additionalProperties).toBe(false);
      const ok = post.responses['200'].content['application/json'].schema;
      expect(ok.required).toEqual(['success', 'data', 'requestId']);
      expect(post.responses['500']).toBeDefined();
      if (op.auth === 'key') {
        expect(post.responses['401'].description, op.path).toContain('UNAUTHENTICATED');
        expect(post.security).toEqual([{ ApiKey: [] }]);
      } else {
        expect(post.security, op.path).toEqual([]);
        expect(post.responses['401']?.description ?? '', op.path).not.toContain('UNAUTHENTICATED');
      }
    }
    const update = doc.paths['/updateorganizationapikeypublic'].post;
    expect(update.responses['409'].content['application/json'].schema.properties.error.properties.code.enum).toEqual([
      'SELF_LOCKOUT',
    ]);
    expect(update.responses['404'].description).toBe('KEY_NOT_FOUND');
    expect(doc.paths['/createorganizationapikeypublic'].post.responses['429']).toBeDefined();
  });

  it('lists the refusals of the member operations and the key hierarchy', () => {
    const codesOf = (path: string, status: string) =>
      doc.paths[path].post.responses[status].content['application/json'].schema.properties.error.properties.code.enum;
    expect(codesOf('/updateorganizationmemberpublic', '409')).toEqual(['LAST_OWNER', 'SELF_ROLE_CHANGE']);
    expect(codesOf('/removeorganizationmemberpublic', '404')).toEqual(['MEMBER_NOT_FOUND']);
    expect(codesOf('/removeorganizationmemberpublic', '403')).toEqual(['INSUFFICIENT_SCOPE', 'NOT_ORG_ADMIN', 'ROLE_HIERARCHY']);
    expect(codesOf('/addorganizationmemberpublic', '409')).toEqual(['MEMBER_EXISTS']);
    for (const path of ['/getorganizationapikeypublic', '/updateorganizationapikeypublic', '/revokeorganizationapikeypublic']) {
      expect(codesOf(path, '403')).toContain('ROLE_HIERARCHY');
    }
    const update = doc.components.schemas.UpdateMemberRequest;
    expect(Object.keys(update.properties).sort()).toEqual(['email', 'role', 'userId']);
    expect(update.properties.role.enum).toEqual(['owner', 'admin', 'member']);
    expect(doc.components.schemas.ListMembersData.properties.members.items.required).toEqual([
      'userId',
      'email',
      'role',
      'joinedAt',
      'liveKeyCount',
    ]);
  });

  it('describes the accounts operations: no key for the e-mailed-code ones, their error codes, nextAction in the envelope', () => {
    const codes = (path: string, status: string) =>
      doc.paths[path].post.responses[status]?.content['application/json'].schema.properties.error.properties.code.enum;
    expect(codes('/clirequestsignupotp', '403')).toEqual(['SIGNUP_DISABLED']);
    expect(codes('/clirequestsignupotp', '503')).toEqual(['SERVICE_UNAVAILABLE', 'MAIL_UNAVAILABLE']);
    expect(codes('/clirequestloginotp', '429')).toEqual(['RATE_LIMITED']);
    expect(codes('/clicompletesignup', '401')).toEqual(['INVALID_CODE']);
    expect(codes('/clicompletelogin', '409')).toEqual(['MULTIPLE_ORGANIZATIONS']);
    expect(codes('/clicompletelogin', '429')).toEqual(['MAX_API_KEYS_REACHED', 'RATE_LIMITED']);
    expect(codes('/createorganizationviaapikey', '400')).toEqual(['VALIDATION_ERROR', 'UNSUPPORTED_FIELD']);
    expect(doc.paths['/createorganizationviaapikey'].post.security).toEqual([{ ApiKey: [] }]);
    expect(doc.components.schemas.ErrorEnvelope.properties.error.properties.nextAction).toMatchObject({ type: 'string' });
    const signup = doc.components.schemas.CompleteSignupRequest;
    expect(signup.required).toEqual(['email', 'code']);
    expect(Object.keys(signup.properties).sort()).toEqual(['apiKey', 'code', 'company', 'email']);
    expect(doc.components.schemas.CompleteSignupData.properties.apiKey.required).toContain('raw');
  });

  it('describes the request bodies from the contract schemas (as input)', () => {
    const update = doc.components.schemas.UpdateKeyRequest;
    expect(update.required).toEqual(['keyId']);
    expect(Object.keys(update.properties).sort()).toEqual(
      [
        'addScopes',
        'allowedIps',
        'description',
        'dryRun',
        'enabled',
        'expiresAt',
        'force',
        'keyId',
        'name',
        'removeScopes',
        'scopes',
      ].sort(),
    );
    expect(update.properties.name).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(doc.components.schemas.CreateKeyRequest.properties.expiresInDays).toMatchObject({ minimum: 1, maximum: 365 });
    expect(doc.components.schemas.VerifyApiKeyData.properties.scopes.items.enum).toHaveLength(10);
  });

  it('lists every error code with its status', () => {
    const codes = doc.components.schemas.ErrorCode;
    expect(codes.enum).toEqual(Object.keys(ERROR_CODES));
    expect(codes.description).toContain('SELF_LOCKOUT (409)');
  });

  it('holds only valid JSON Schema 2020-12 schemas', () => {
    const ajv = new Ajv2020({ strict: false, logger: false });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, Json>)) {
      if (name === 'ErrorEnvelope') continue; // refers to ErrorCode through the components
      expect(() => ajv.compile(schema), name).not.toThrow();
    }
    const validate = ajv.compile(doc.components.schemas.UpdateKeyRequest);
    expect(validate({ keyId: 'k', scopes: ['projects:read'] })).toBe(true);
    expect(validate({ keyId: 'k', extra: 1 })).toBe(false);
  });

  it('has no dangling references', () => {
    const refs = JSON.stringify(doc).match(/"#\/components\/schemas\/[A-Za-z]+"/g) ?? [];
    for (const ref of refs) expect(doc.components.schemas).toHaveProperty(ref.slice(22, -1));
  });
});
