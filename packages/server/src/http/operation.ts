/**
 * How an operation is served. A key operation (`OPERATIONS[name].auth === 'key'`), in the
 * order of checks of docs/server.md:
 *   onRequest (before the body is read, so it comes before 413/415/400):
 *     1. authenticate (401)
 *     1b. the kind of caller the route takes: an API key (header or key session), a person
 *        signed in to the dashboard by code, or either (403 API_KEY_REQUIRED /
 *        USER_SESSION_REQUIRED)
 *     2. the operation's scope, held by the key or carried by the person's role
 *        (403 INSUFFICIENT_SCOPE, details.required)
 *     3. the caller's *current* role in its key's organization (403 NOT_ORG_ADMIN)
 *   handler:
 *     4. body shape with the contract's strict zod schema (400 VALIDATION_ERROR)
 *     5. the route's own semantic checks, target lookup and judgement.
 * A public operation (`auth: 'none'`: the e-mailed-code operations) skips 1–3: any key header
 * or session cookie is ignored, the body is validated the same way, and the handler's context
 * has no caller but the audit base of an anonymous attempt. The per-source failed-
 * authentication throttle (auth-throttle.ts) covers both kinds: its hook runs before every
 * route, and every 401 counts.
 */
import { OPERATION_SCHEMAS, OPERATIONS, type OperationName } from '@codika/contract';
import { MANAGE_SCOPE, type Scope } from '@codika/contract/scopes';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { CodeRequestThrottle } from '../accounts/code-throttle.js';
import type { Mailer } from '../accounts/mailer.js';
import type { SignupPolicy } from '../accounts/policy.js';
import { iso } from '../clock.js';
import type { AuditAction, AuditOrigin, Store } from '../store/types.js';
import { auditOrigin } from './audit.js';
import { authenticateRequest, clientOf } from './auth.js';
import type { DeniedAttemptThrottle } from './denial-throttle.js';
import { successBody } from './envelope.js';
import { ApiError } from './errors.js';
import type { Caller } from './request-state.js';
import { validateBody } from './validation.js';

export interface ServerConfig {
  store: Store;
  maxKeysPerOrg: number;
  lastUsedIntervalMs: number;
  /** How long a request waits for its key's last-use write before it is answered anyway (ms). */
  lastUsedWaitMs: number;
  /** How e-mailed codes are delivered. */
  mailer: Mailer;
  /** Who may sign up and create organizations. */
  signup: SignupPolicy;
  /** Code requests per address and per source; null: not throttled. */
  codeRequestThrottle: CodeRequestThrottle | null;
  /** Refused attempts per key at audited operations (denial-throttle.ts); null: not throttled. */
  deniedAttemptThrottle?: DeniedAttemptThrottle | null;
}

export interface OperationContext<Body> {
  request: FastifyRequest;
  caller: Caller;
  body: Body;
  now: Date;
  nowIso: string;
  config: ServerConfig;
  /**
   * Run the store write that records this attempt (audited operations only): `write` is given
   * the attempt's audit origin, and the store method writes the attempt's row(s) whatever the
   * outcome it returns. A refusal before it, or a write that throws, gets its row from the
   * error handler instead.
   */
  audited<T>(write: (audit: AuditOrigin) => Promise<T>): Promise<T>;
}

/** The body an operation's handler is given: its request schema's output. */
type RequestOf<N extends OperationName> = z.output<(typeof OPERATION_SCHEMAS)[N]['request']>;
/**
 * What an operation's handler must answer: its response schema's output, so a handler cannot
 * leave out a field the contract requires or answer one of another type. (Fields the contract
 * does not name are caught by the route tests: test-support/http.ts checks every answer.)
 */
export type ResponseOf<N extends OperationName> = z.output<(typeof OPERATION_SCHEMAS)[N]['response']>;

/**
 * The operations a person signed in to the dashboard by e-mailed code may call (with the
 * scopes and the checks of their role, like a key of theirs): the key and member
 * operations. The others need an API key (403 API_KEY_REQUIRED): /verifyapikey describes a
 * key, and creating an organization is for the CLI.
 */
export const USER_SESSION_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>([
  'createKey',
  'updateKey',
  'listKeys',
  'getKey',
  'revokeKey',
  'listMembers',
  'addMember',
  'updateMember',
  'removeMember',
  'listAuditEvents',
  'rotateKey',
  'getSettings',
  'updateSettings',
]);

/** Who may call a route: an API key (header or key session), a person signed in by code, or both. */
export type RouteCallers = 'key' | 'user' | 'key-or-user';

export interface OperationOptions<N extends OperationName> {
  /** Audited operations write exactly one audit row per authenticated attempt. */
  audit: AuditAction | null;
  handler(ctx: OperationContext<RequestOf<N>>): Promise<ResponseOf<N>>;
}

const OTHER_METHODS = ['GET', 'PUT', 'PATCH', 'DELETE'] as const;

/** Operations anyone may call (the e-mailed-code ones), and those that need a key. */
export type PublicOperationName = {
  [K in OperationName]: (typeof OPERATIONS)[K]['auth'] extends 'none' ? K : never;
}[OperationName];
export type KeyOperationName = Exclude<OperationName, PublicOperationName>;

export function registerOperation<N extends KeyOperationName>(
  app: FastifyInstance,
  config: ServerConfig,
  name: N,
  options: OperationOptions<N>,
): void {
  const { path, scope, auth } = OPERATIONS[name];
  if (auth !== 'key') throw new Error(`${name} is not a key operation: register it with registerPublicOperation`);
  registerAuthenticatedRoute<RequestOf<N>, ResponseOf<N>>(app, config, {
    path,
    scope,
    schema: OPERATION_SCHEMAS[name].request as unknown as z.ZodType<RequestOf<N>>,
    callers: USER_SESSION_OPERATIONS.has(name) ? 'key-or-user' : 'key',
    audit: options.audit,
    handler: options.handler,
  });
}

export interface AuthenticatedRouteOptions<Body, Data> {
  path: string;
  /** The scope the caller's key must hold; api-keys:manage also needs an admin or owner. */
  scope: Scope | null;
  schema: z.ZodType<Body>;
  /** Default 'key': a person's code session is refused with 403 API_KEY_REQUIRED. */
  callers?: RouteCallers;
  audit: AuditAction | null;
  /** Answers the `data` of the success envelope. */
  handler(ctx: OperationContext<Body>): Promise<Data>;
}

/**
 * A POST route served like every key operation (same authentication, same scope and role
 * checks, same validation, same envelope); the contract operations and the dashboard's
 * audit route are all registered through here.
 */
export function registerAuthenticatedRoute<Body, Data>(
  app: FastifyInstance,
  config: ServerConfig,
  options: AuthenticatedRouteOptions<Body, Data>,
): void {
  const { path, scope, schema } = options;

  app.route({
    method: 'POST',
    url: path,
    onRequest: async (request) => {
      const state = request.state;
      state.auditAction = options.audit;
      const caller = await authenticateRequest(
        request,
        state.now,
        {
          store: config.store,
          lastUsedIntervalMs: config.lastUsedIntervalMs,
          lastUsedWaitMs: config.lastUsedWaitMs,
          client: clientOf(request),
        },
        (err) => request.log.warn({ err }, 'could not record the last use of a key'),
      );
      state.caller = caller;
      if (options.audit !== null) config.deniedAttemptThrottle?.check(request, caller);
      const callers = options.callers ?? 'key';
      if (caller.key === null && callers === 'key') throw new ApiError('API_KEY_REQUIRED');
      if (caller.key !== null && callers === 'user') throw new ApiError('USER_SESSION_REQUIRED');
      if (scope !== null) {
        if (!caller.scopes.includes(scope)) {
          throw new ApiError('INSUFFICIENT_SCOPE', { details: { required: scope } });
        }
        if (scope === MANAGE_SCOPE && caller.role !== 'admin' && caller.role !== 'owner') {
          throw new ApiError('NOT_ORG_ADMIN');
        }
      }
    },
    handler: async (request) => {
      const state = request.state;
      const caller = state.caller as Caller;
      const body = validateBody(schema, request.body) as Body;
      const nowIso = iso(state.now);
      const data = await options.handler({
        request,
        caller,
        body,
        now: state.now,
        nowIso,
        config,
        audited: async (write) => {
          if (options.audit === null) throw new Error(`${path} is not audited`);
          const outcome = await write(auditOrigin(request, caller, nowIso));
          state.audited = true;
          return outcome;
        },
      });
      return successBody(request.id, data);
    },
  });

  registerOtherMethods(app, path);
}

function registerOtherMethods(app: FastifyInstance, path: string): void {
  app.route({
    method: [...OTHER_METHODS],
    url: path,
    handler: async () => {
      throw new ApiError('METHOD_NOT_ALLOWED');
    },
  });
}

export interface PublicOperationContext<Body> {
  request: FastifyRequest;
  body: Body;
  now: Date;
  nowIso: string;
  config: ServerConfig;
  /** Who (nobody yet), from where, when: the base of the attempt's audit rows. */
  audit: AuditOrigin;
}

export interface PublicOperationOptions<N extends OperationName> {
  handler(ctx: PublicOperationContext<RequestOf<N>>): Promise<ResponseOf<N>>;
}

/** Register an operation anyone may call (`OPERATIONS[name].auth === 'none'`). */
export function registerPublicOperation<N extends PublicOperationName>(
  app: FastifyInstance,
  config: ServerConfig,
  name: N,
  options: PublicOperationOptions<N>,
): void {
  const { path, auth } = OPERATIONS[name];
  if (auth !== 'none') throw new Error(`${name} needs a key: register it with registerOperation`);
  const schema = OPERATION_SCHEMAS[name].request as unknown as z.ZodType<RequestOf<N>>;
  app.route({
    method: 'POST',
    url: path,
    handler: async (request) => {
      const body = validateBody(schema, request.body);
      const data = await options.handler(publicOperationContext(request, config, body));
      return successBody(request.id, data);
    },
  });
  registerOtherMethods(app, path);
}

/** The context of a request no key authenticates (the e-mailed-code operations, the dashboard's code sign-in). */
export function publicOperationContext<Body>(
  request: FastifyRequest,
  config: ServerConfig,
  body: Body,
): PublicOperationContext<Body> {
  const now = request.state.now;
  const nowIso = iso(now);
  return { request, body, now, nowIso, config, audit: auditOrigin(request, null, nowIso) };
}
