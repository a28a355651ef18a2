/**
 * The platform API as a Fastify instance. The operator's `start` command calls
 * buildApp and then `app.listen`; tests call buildApp and `app.inject`.
 */
import { BODY_LIMIT_BYTES, DEFAULT_MAX_KEYS_PER_ORG, REQUEST_ID_HEADER } from '@codika/contract/operations';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { type CodeRequestBudget, CodeRequestThrottle, DEFAULT_CODE_REQUEST_BUDGET } from './accounts/code-throttle.js';
import { type Mailer, noMailer } from './accounts/mailer.js';
import { CLOSED_SIGNUP, type SignupPolicy } from './accounts/policy.js';
import { type Clock, systemClock } from './clock.js';
import { findDashboardDir } from './dashboard-dir.js';
import { TOUCH_WAIT_MS } from './http/auth.js';
import {
  type AuthFailureBudget,
  AuthFailureThrottle,
  DEFAULT_AUTH_FAILURE_BUDGET,
  installAuthThrottle,
} from './http/auth-throttle.js';
import { installBodyParsers } from './http/body.js';
import { clientErrorHandler, installRawAnswers } from './http/client-errors.js';
import { ConnectionGuard } from './http/connection-guard.js';
import { DEFAULT_DENIED_ATTEMPT_BUDGET, type DeniedAttemptBudget, DeniedAttemptThrottle } from './http/denial-throttle.js';
import './http/request-state.js';
import { errorBody } from './http/envelope.js';
import { installErrorHandling } from './http/error-handler.js';
import { ApiError } from './http/errors.js';
import {
  DEFAULT_KEY_CONCURRENCY,
  installKeyConcurrency,
  KeyConcurrency,
  type KeyConcurrencyLimits,
} from './http/key-concurrency.js';
import { loggerOptions, RequestLogController } from './http/logging.js';
import type { ServerConfig } from './http/operation.js';
import { DEFAULT_TRANSPORT_LIMITS, type TransportLimits, transportOptions } from './http/transport.js';
import { newId } from './ids.js';
import { type Metrics, registerMetricsRoute } from './metrics.js';
import { registerAddMember } from './routes/add-member.js';
import { registerCompleteLogin } from './routes/complete-login.js';
import { registerCompleteSignup } from './routes/complete-signup.js';
import { registerCreateKey } from './routes/create-key.js';
import { registerCreateOrganization } from './routes/create-organization.js';
import { registerDashboardApi } from './routes/dashboard-api.js';
import { registerDashboardCodeSignIn } from './routes/dashboard-code-sign-in.js';
import { registerDashboardMyKeys } from './routes/dashboard-my-keys.js';
import { registerDashboardOrganization } from './routes/dashboard-organization.js';
import { registerDashboardStatic } from './routes/dashboard-static.js';
import { registerGetKey } from './routes/get-key.js';
import { registerGetSettings } from './routes/get-settings.js';
import { registerHealthz } from './routes/healthz.js';
import { registerListAuditEvents } from './routes/list-audit-events.js';
import { registerListKeys } from './routes/list-keys.js';
import { registerListMembers } from './routes/list-members.js';
import { registerOpenApiJson } from './routes/openapi-json.js';
import { registerReadyz } from './routes/readyz.js';
import { registerRemoveMember } from './routes/remove-member.js';
import { registerRequestLoginCode } from './routes/request-login-code.js';
import { registerRequestSignupCode } from './routes/request-signup-code.js';
import { registerRevokeKey } from './routes/revoke-key.js';
import { registerRotateKey } from './routes/rotate-key.js';
import { registerUpdateKey } from './routes/update-key.js';
import { registerUpdateMember } from './routes/update-member.js';
import { registerUpdateSettings } from './routes/update-settings.js';
import { registerVerifyApiKey } from './routes/verify-api-key.js';
import type { Store } from './store/types.js';

export interface AppDeps {
  store: Store;
  clock?: Clock;
  /** false: no logs; otherwise JSON lines (pino) at `level` (default info) to `stream` (default stdout). */
  logger?: false | { level?: string; stream?: NodeJS.WritableStream };
  /** Live keys an organization may hold (default 20). */
  maxKeysPerOrg?: number;
  /** A key's last use is written at most once per this interval (default 60 000 ms). */
  lastUsedIntervalMs?: number;
  /**
   * How long a request waits for its key's last-use write before it is answered without it
   * (default 20 ms: a locked or slow database never holds a verify up). Tests raise it so that
   * an answer's lastUsedAt does not depend on the machine's load.
   */
  lastUsedWaitMs?: number;
  /**
   * Failed authentications (401) one source address may make per sliding window before it is
   * answered 429 RATE_LIMITED (default 20 per 60 s, at most 10 000 sources tracked); false: off.
   */
  authFailureBudget?: AuthFailureBudget | false;
  /** The built dashboard (default: findDashboardDir(), the repository's or the installed copy); null serves no dashboard. */
  dashboardDir?: string | null;
  /** Request and keep-alive timeouts, connection cap (http/transport.ts; defaults: DEFAULT_TRANSPORT_LIMITS). */
  transport?: Partial<TransportLimits>;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (addresses, CIDR ranges, or loopback,
   * linklocal, uniquelocal): the client address of the throttle, the log and the audit rows
   * is then the one they forward. Unset: the TCP peer, forwarding headers ignored.
   */
  trustProxy?: readonly string[];
  /** Requests of one key served at once and how long the others wait (http/key-concurrency.ts); false: no share. */
  keyConcurrency?: Partial<KeyConcurrencyLimits> | false;
  /**
   * How e-mailed codes are delivered (an SMTP server, the console outbox, a test outbox).
   * Default: none — every code request answers 503 MAIL_UNAVAILABLE, never a silent success.
   */
  mailer?: Mailer;
  /** Who may sign up and create organizations (default: closed). */
  signup?: SignupPolicy;
  /**
   * Code requests per e-mail address and per source address per sliding window (default 5 per
   * hour per address, 50 per hour per source, kept in memory by this instance); false: off.
   */
  codeRequestBudget?: CodeRequestBudget | false;
  /**
   * Refused attempts (4xx after authentication) one key or person may make at audited
   * operations per sliding window before those are answered 429 without an audit row each
   * (default 30 per 60 s; http/denial-throttle.ts); false: off.
   */
  deniedAttemptBudget?: DeniedAttemptBudget | false;
  /** Count requests, failures, throttles, key changes and sign-ins into these metrics (none: no hook runs). */
  metrics?: Metrics;
  /** Serve `GET /metrics` on this app's port (start --metrics); needs `metrics`. */
  serveMetrics?: boolean;
}

export const DEFAULT_LAST_USED_INTERVAL_MS = 60_000;

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const config: ServerConfig = {
    store: deps.store,
    maxKeysPerOrg: deps.maxKeysPerOrg ?? DEFAULT_MAX_KEYS_PER_ORG,
    lastUsedIntervalMs: deps.lastUsedIntervalMs ?? DEFAULT_LAST_USED_INTERVAL_MS,
    lastUsedWaitMs: deps.lastUsedWaitMs ?? TOUCH_WAIT_MS,
    mailer: deps.mailer ?? noMailer,
    signup: deps.signup ?? CLOSED_SIGNUP,
    codeRequestThrottle:
      deps.codeRequestBudget === false ? null : new CodeRequestThrottle(deps.codeRequestBudget ?? DEFAULT_CODE_REQUEST_BUDGET),
    deniedAttemptThrottle:
      deps.deniedAttemptBudget === false
        ? null
        : new DeniedAttemptThrottle(deps.deniedAttemptBudget ?? DEFAULT_DENIED_ATTEMPT_BUDGET),
  };

  const limits: TransportLimits = { ...DEFAULT_TRANSPORT_LIMITS, ...deps.transport };
  const app = Fastify({
    ...transportOptions(limits),
    logger: deps.logger === false ? false : loggerOptions(deps.logger),
    logController: new RequestLogController(),
    clientErrorHandler,
    // Fastify reads X-Forwarded-For through @fastify/proxy-addr, from trusted peers only.
    trustProxy: deps.trustProxy === undefined || deps.trustProxy.length === 0 ? false : [...deps.trustProxy],
    genReqId: () => newId(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT_BYTES,
    // Errors Fastify raises before routing (a malformed URL) get the envelope too.
    frameworkErrors: (_error, request, rawReply) => {
      (rawReply as unknown as FastifyReply)
        .code(400)
        .header(REQUEST_ID_HEADER, request.id)
        .send(errorBody(request.id, 'VALIDATION_ERROR', 'Malformed request URL'));
    },
  });

  const connectionGuard = new ConnectionGuard(limits.maxConnections);
  connectionGuard.attach(app.server);
  app.decorate('connectionGuard', connectionGuard);
  installRawAnswers(app.server, app.log);

  app.decorateRequest('state', null as never);
  app.addHook('onRequest', async (request) => {
    request.state = { now: clock(), caller: null, auditAction: null, audited: false };
    // HTTP/1.1 requires Host (Node's own check, which answers a bare 400, is off: transport.ts).
    const host = request.headers.host;
    if (request.raw.httpVersion === '1.1' && (host === undefined || host === '')) {
      throw new ApiError('VALIDATION_ERROR', { message: 'Missing Host header', details: { host: 'required' } });
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // No answer of the API may be kept by a cache: some carry a raw key (create, rotate,
    // sign-up, sign-in), others the state of keys. Routes that want caching say so themselves
    // (the dashboard's static files).
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // Answered before the body fully arrived (a refusal in onRequest): close the connection
    // rather than wait for the rest of a body nobody will read.
    if (!request.raw.complete || connectionGuard.draining) reply.header('connection', 'close');
    return payload;
  });
  const authFailureBudget = deps.authFailureBudget ?? DEFAULT_AUTH_FAILURE_BUDGET;
  if (authFailureBudget !== false) installAuthThrottle(app, new AuthFailureThrottle(authFailureBudget));
  config.deniedAttemptThrottle?.install(app);
  if (deps.metrics !== undefined) {
    deps.metrics.attachStore(deps.store);
    deps.metrics.install(app);
    if (deps.serveMetrics === true) registerMetricsRoute(app, deps.metrics);
  }
  // After the throttle (a throttled source is refused without waiting) and before any route's
  // authentication (a flood waits before its key is looked up).
  if (deps.keyConcurrency !== false) {
    installKeyConcurrency(app, new KeyConcurrency({ ...DEFAULT_KEY_CONCURRENCY, ...deps.keyConcurrency }));
  }

  installBodyParsers(app);
  installErrorHandling(app, config.store);

  registerVerifyApiKey(app, config);
  registerCreateKey(app, config);
  registerUpdateKey(app, config);
  registerListKeys(app, config);
  registerGetKey(app, config);
  registerRevokeKey(app, config);
  registerRotateKey(app, config);
  registerGetSettings(app, config);
  registerUpdateSettings(app, config);
  registerListMembers(app, config);
  registerListAuditEvents(app, config);
  registerAddMember(app, config);
  registerUpdateMember(app, config);
  registerRemoveMember(app, config);
  registerRequestSignupCode(app, config);
  registerCompleteSignup(app, config);
  registerRequestLoginCode(app, config);
  registerCompleteLogin(app, config);
  registerCreateOrganization(app, config);
  registerHealthz(app);
  registerReadyz(app, config.store);
  registerOpenApiJson(app);
  registerDashboardApi(app, config);
  registerDashboardCodeSignIn(app, config);
  registerDashboardOrganization(app, config);
  registerDashboardMyKeys(app, config);
  registerDashboardStatic(app, deps.dashboardDir === undefined ? findDashboardDir() : deps.dashboardDir);

  return app;
}
