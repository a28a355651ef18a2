/**
 * The server's numbers in the Prometheus text format (prom-client), on a registry of the app's
 * own (tests build many apps in one process). Collected by hooks on the app; served at
 * `GET /metrics` on the main port with `start --metrics`, or on a port of its own with
 * `--metrics-port` (metrics-server.ts, 127.0.0.1 unless told otherwise). Without either, no
 * Metrics exists and no hook runs.
 *
 * Label values come from fixed sets only — route patterns (never the URL as sent, so no query
 * string and no path a client made up), methods, status codes, audit actions and outcomes,
 * reasons named here — never a key, a key id, an e-mail address or any other value a client
 * chose. The test scrapes after traffic that carries keys and addresses and finds none of them.
 */

import { DASHBOARD_API } from '@codika/contract/dashboard';
import { API_KEY_HEADER, OPERATIONS } from '@codika/contract/operations';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { isCredentialGuess } from './http/auth.js';
import { isApiError } from './http/errors.js';
import { sessionIdOf } from './http/session.js';
import type { Store } from './store/types.js';

const API_KEY_HEADER_NAME = API_KEY_HEADER.toLowerCase();

/** Sign-in routes and how they are labelled. */
const SIGN_IN_ROUTES: ReadonlyMap<string, string> = new Map([
  [OPERATIONS.completeLogin.path, 'cli_code'],
  [OPERATIONS.completeSignup.path, 'cli_signup'],
  [DASHBOARD_API.codeComplete, 'dashboard_code'],
  [DASHBOARD_API.session, 'dashboard_key'],
]);

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event loop, handles): default true. */
  processMetrics?: boolean;
}

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One (route, method, status) series of the request counter and the latency histogram. */
interface RequestSeries {
  labels: { route: string; method: string; status: string };
  count: number;
  sum: number;
  /** Per bucket (not cumulative); the last slot is +Inf. */
  buckets: number[];
}

/**
 * The request counter and the latency histogram, kept in plain numbers by the hot path — one
 * Map lookup and a few additions per request — and handed to prom-client's text format at
 * scrape time. (prom-client's own Counter and Histogram hash their label object on every call:
 * the metrics then cost /verifyapikey about a tenth of its throughput.)
 */
class RequestMetrics {
  private readonly series = new Map<string, RequestSeries>();

  record(route: string, method: string, status: number, seconds: number): void {
    const key = `${status} ${method} ${route}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        labels: { route, method, status: String(status) },
        count: 0,
        sum: 0,
        buckets: new Array(DURATION_BUCKETS.length + 1).fill(0),
      };
      this.series.set(key, series);
    }
    series.count++;
    series.sum += seconds;
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[i] as number)) i++;
    (series.buckets[i] as number)++;
  }

  /** The two metrics as prom-client's registry formats them. */
  register(registry: Registry): void {
    const all = () => [...this.series.values()];
    registry.registerMetric({
      name: 'codika_http_requests_total',
      get: async () => ({
        name: 'codika_http_requests_total',
        help: 'HTTP requests answered, by route pattern, method and status',
        type: 'counter',
        aggregator: 'sum',
        values: all().map((s) => ({ labels: s.labels, value: s.count })),
      }),
    } as never);
    const name = 'codika_http_request_duration_seconds';
    registry.registerMetric({
      name,
      get: async () => ({
        name,
        help: 'Time to answer an HTTP request, by route pattern, method and status',
        type: 'histogram',
        aggregator: 'sum',
        values: all().flatMap((s) => {
          let cumulative = 0;
          const buckets = [...DURATION_BUCKETS, '+Inf'].map((le, i) => {
            cumulative += s.buckets[i] as number;
            return { labels: { ...s.labels, le }, value: cumulative, metricName: `${name}_bucket` };
          });
          return [
            ...buckets,
            { labels: s.labels, value: s.sum, metricName: `${name}_sum` },
            { labels: s.labels, value: s.count, metricName: `${name}_count` },
          ];
        }),
      }),
    } as never);
  }
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new RequestMetrics();
  private readonly authFailures: Counter<'reason'>;
  private readonly throttled: Counter<'reason'>;
  private readonly keyChanges: Counter<'action' | 'outcome'>;
  private readonly signIns: Counter<'method' | 'outcome'>;
  private readonly groupCommitSize: Histogram;
  private store: Store | undefined;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    this.requests.register(this.registry);
    this.authFailures = new Counter({
      name: 'codika_auth_failures_total',
      help: 'Failed authentications (401), by reason: missing_credential, unknown_credential (a guess), rejected_credential (revoked, expired, orphaned key or dead session), invalid_code',
      labelNames: ['reason'],
      registers,
    });
    this.throttled = new Counter({
      name: 'codika_throttled_requests_total',
      help: 'Requests answered 429 RATE_LIMITED, by throttle: auth_failures, key_concurrency, code_requests, denied_attempts',
      labelNames: ['reason'],
      registers,
    });
    this.keyChanges = new Counter({
      name: 'codika_key_changes_total',
      help: 'Audited attempts (key and member changes), by audit action and outcome (allowed, denied, dry_run)',
      labelNames: ['action', 'outcome'],
      registers,
    });
    this.signIns = new Counter({
      name: 'codika_sign_ins_total',
      help: 'Sign-ins, by method (cli_code, cli_signup, dashboard_code, dashboard_key) and outcome (success, failure)',
      labelNames: ['method', 'outcome'],
      registers,
    });
    this.groupCommitSize = new Histogram({
      name: 'codika_sqlite_group_commit_transactions',
      help: 'Write transactions sharing one COMMIT (SQLite group commit)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'codika_db_pool_connections',
      help: 'PostgreSQL pool connections, by state (total, idle, waiting: requests queued for a connection, max)',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = self.store?.usage?.().pool;
        if (pool === undefined) return;
        this.set({ state: 'total' }, pool.total);
        this.set({ state: 'idle' }, pool.idle);
        this.set({ state: 'waiting' }, pool.waiting);
        this.set({ state: 'max' }, pool.max);
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Read the store's pool use at each scrape and observe its group commits. */
  attachStore(store: Store): void {
    this.store = store;
    store.observeGroupCommits?.((transactions) => this.groupCommitSize.observe(transactions));
  }

  /**
   * The hooks that count every answered request: a hook per route (added as each route is
   * registered, so it knows its route pattern without asking Fastify per request — install
   * before the routes), and one for the requests no route matched.
   */
  install(app: FastifyInstance): void {
    app.addHook('onError', async (request, _reply, error) => {
      if (!isApiError(error)) return;
      if (error.status === 401) this.authFailures.inc({ reason: authFailureReason(request, error) });
      if (error.code === 'RATE_LIMITED') this.throttled.inc({ reason: request.state?.throttledBy ?? 'other' });
    });
    app.addHook('onRoute', (route) => {
      const url = route.url;
      const signIn = SIGN_IN_ROUTES.get(url);
      // Callback style: no promise per request.
      const hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
        this.answered(url, signIn, request, reply);
        done();
      };
      const own = route.onResponse;
      route.onResponse = own === undefined ? [hook] : Array.isArray(own) ? [...own, hook] : [own, hook];
    });
    app.addHook('onResponse', (request, reply, done) => {
      if (request.is404) this.answered('unmatched', undefined, request, reply);
      done();
    });
  }

  private answered(route: string, signIn: string | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    this.requests.record(route, request.method, status, reply.elapsedTime / 1000);
    const state = request.state;
    if (state?.auditAction && state.caller && state.throttledBy === undefined) {
      const outcome =
        status < 300 ? (isDryRun(request.body) ? 'dry_run' : 'allowed') : status < 500 && status !== 401 ? 'denied' : undefined;
      if (outcome !== undefined) this.keyChanges.inc({ action: state.auditAction, outcome });
    }
    if (signIn !== undefined && request.method === 'POST' && status !== 429) {
      this.signIns.inc({ method: signIn, outcome: status < 300 ? 'success' : 'failure' });
    }
  }

  /** The text a scrape gets. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function isDryRun(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { dryRun?: unknown }).dryRun === true;
}

function authFailureReason(request: FastifyRequest, error: { code: string }): string {
  if (error.code === 'INVALID_CODE') return 'invalid_code';
  if (isCredentialGuess(error)) return 'unknown_credential';
  const header = request.headers[API_KEY_HEADER_NAME];
  const presented = (typeof header === 'string' && header.trim() !== '') || (sessionIdOf(request) ?? '') !== '';
  return presented ? 'rejected_credential' : 'missing_credential';
}

/** `GET /metrics` on the main port (start --metrics): never throttled, no envelope. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', { config: { throttle: false } }, async (_request, reply) => {
    reply.header('content-type', METRICS_CONTENT_TYPE);
    return metrics.text();
  });
}
