/**
 * Route-test helpers: a fresh store (routeStoreFactory: SQLite in memory, or a schema of its
 * own on PostgreSQL in the postgres Vitest project) and app per call, seeded with two
 * organizations, users of each role, keys of each kind (live, revoked, expired, lacking
 * api-keys:manage, another organization's) and target keys; a controlled clock; the
 * log stream captured; an `inject` wrapper that speaks the wire protocol.
 */
import { Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { OPERATION_SCHEMAS, OPERATIONS, type OperationName } from '@codika/contract';
import { DASHBOARD_API, type DashboardEndpoint } from '@codika/contract/dashboard';
import { DASHBOARD_SCHEMAS } from '@codika/contract/dashboard-schemas';
import { generateKey } from '@codika/contract/keys';
import { SCOPES, type Scope } from '@codika/contract/scopes';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { CodeRequestBudget } from '../accounts/code-throttle.js';
import { type Mailer, type MemoryOutbox, memoryOutbox } from '../accounts/mailer.js';
import type { SignupPolicy } from '../accounts/policy.js';
import { type AppDeps, buildApp } from '../app.js';
import type { Clock } from '../clock.js';
import type { AuthFailureBudget } from '../http/auth-throttle.js';
import { newId } from '../ids.js';
import { newKey } from '../new-key.js';
import { hashKey } from '../secrets.js';
import type { ApiKeyRecord, AuditEntry, Organization, Role, Store, User } from '../store/types.js';
import { routeStoreFactory } from './stores.js';

export const T0 = '2026-03-31T14:00:00.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;

export const ALL_SCOPES: Scope[] = [...SCOPES];
export const WITHOUT_MANAGE: Scope[] = SCOPES.filter((s) => s !== 'api-keys:manage');

export interface TestClock {
  clock: Clock;
  now(): Date;
  set(isoTime: string): void;
  advance(ms: number): void;
}

export function testClock(start = T0): TestClock {
  let current = Date.parse(start);
  return {
    clock: () => new Date(current),
    now: () => new Date(current),
    set: (isoTime) => {
      current = Date.parse(isoTime);
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export interface LogCapture {
  stream: Writable;
  text(): string;
  lines(): Record<string, unknown>[];
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  return {
    stream,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface SeededKey {
  id: string;
  raw: string;
  organizationId: string;
  userId: string;
}

export interface Seed {
  orgA: Organization;
  orgB: Organization;
  users: {
    owner: User;
    admin: User;
    member: User;
    otherOwner: User;
    /** orgB, member (no key): a member target in the other organization. */
    otherMember: User;
    /** Was a member of orgA and was removed (no key): a former member. */
    former: User;
  };
  keys: {
    /** orgA, owner, all scopes. */
    owner: SeededKey;
    /** orgA, admin, all scopes. */
    admin: SeededKey;
    /** orgA, member, all scopes (the role, not the scope, is what is missing). */
    member: SeededKey;
    /** orgA, admin, every scope but api-keys:manage. */
    lacking: SeededKey;
    /** orgA, owner, all scopes, revoked. */
    revoked: SeededKey;
    /** orgA, owner, all scopes, expired a day before T0. */
    expired: SeededKey;
    /** orgB, its owner, all scopes. */
    other: SeededKey;
    /** orgA, owner: the usual target. projects:read + deploy:use-case, description set. */
    target: SeededKey;
    /** orgB, its owner: a target in the other organization. */
    otherTarget: SeededKey;
  };
}

export interface CallOptions {
  /** Raw key for X-Process-Manager-Key; null or omitted sends none. */
  key?: string | null;
  headers?: Record<string, string>;
  /** Raw payload instead of JSON.stringify(body). */
  payload?: string | Buffer;
  method?: 'POST' | 'GET' | 'PUT' | 'PATCH' | 'DELETE';
  /** The TCP peer's address (default: inject's 127.0.0.1). */
  remoteAddress?: string;
}

export interface CallResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  body: any;
  text: string;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface TestApp extends Seed {
  app: FastifyInstance;
  store: Store;
  clock: TestClock;
  logs: LogCapture;
  /** What the app mailed (when no other mailer was given). */
  outbox: MemoryOutbox;
  call(path: string, body?: unknown, options?: CallOptions): Promise<CallResult>;
  /** Every audit row (of every organization, and of none), oldest first. */
  audit(): Promise<AuditEntry[]>;
  /** The stored record of a seeded key (revoked ones too). */
  record(key: SeededKey): Promise<ApiKeyRecord>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  maxKeysPerOrg?: number;
  lastUsedIntervalMs?: number;
  /** How long a request waits for its last-use write (default here 5 s, not the server's 20 ms: answers must not depend on the machine's load). */
  lastUsedWaitMs?: number;
  /** Wrap the store (spies, failure injection). */
  wrapStore?: (store: Store) => Store;
  logLevel?: string;
  /** The per-key share (AppDeps.keyConcurrency); default: the app's. */
  keyConcurrency?: AppDeps['keyConcurrency'];
  /** Default: an outbox in memory (TestApp.outbox). */
  mailer?: Mailer;
  /** Default: the server's (closed). */
  signup?: SignupPolicy;
  codeRequestBudget?: CodeRequestBudget | false;
  authFailureBudget?: AuthFailureBudget | false;
  deniedAttemptBudget?: AppDeps['deniedAttemptBudget'];
  metrics?: AppDeps['metrics'];
  serveMetrics?: boolean;
  /** The proxies whose X-Forwarded-For names the client (start --trust-proxy). */
  trustProxy?: readonly string[];
}

/** Insert a key as the operator would (audit row without an actor key). */
export async function seedKey(
  store: Store,
  organizationId: string,
  userId: string,
  options: { scopes?: Scope[]; name?: string; description?: string; createdAt?: string; expiresAt?: string | null } = {},
): Promise<SeededKey> {
  const createdAt = options.createdAt ?? T0;
  const { input, rawKey } = newKey({ name: options.name ?? 'key', description: options.description ?? '' }, new Date(createdAt));
  const outcome = await store.createKey(
    {
      ...input,
      organizationId,
      createdByUserId: userId,
      scopes: options.scopes ?? ALL_SCOPES,
      expiresAt: options.expiresAt ?? null,
    },
    1000,
    { at: createdAt, requestId: newId(), actorKeyId: null, actorUserId: null, sourceIp: null, userAgent: 'seed' },
  );
  if (outcome.status !== 'created') throw new Error('seed: key not created');
  return { id: input.id, raw: rawKey, organizationId, userId };
}

export async function seedUser(store: Store, organizationId: string, email: string, role: Role): Promise<User> {
  const user = await store.ensureUser({ id: newId(), email, createdAt: T0 });
  await store.setMembership({ organizationId, userId: user.id, role });
  return user;
}

export async function seed(store: Store): Promise<Seed> {
  const orgA = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
  const orgB = await store.createOrganization({ id: newId(), name: 'Other Org', createdAt: T0 });
  const owner = await seedUser(store, orgA.id, 'owner@acme.test', 'owner');
  const admin = await seedUser(store, orgA.id, 'admin@acme.test', 'admin');
  const member = await seedUser(store, orgA.id, 'member@acme.test', 'member');
  const otherOwner = await seedUser(store, orgB.id, 'owner@other.test', 'owner');
  const otherMember = await seedUser(store, orgB.id, 'member@other.test', 'member');
  const former = await seedUser(store, orgA.id, 'former@acme.test', 'member');
  await store.removeMembership(orgA.id, former.id);

  const dayBefore = new Date(Date.parse(T0) - DAY_MS).toISOString();
  const twoDaysBefore = new Date(Date.parse(T0) - 2 * DAY_MS).toISOString();
  const keys = {
    owner: await seedKey(store, orgA.id, owner.id, { name: 'Owner key' }),
    admin: await seedKey(store, orgA.id, admin.id, { name: 'Admin key' }),
    member: await seedKey(store, orgA.id, member.id, { name: 'Member key' }),
    lacking: await seedKey(store, orgA.id, admin.id, { name: 'No manage', scopes: WITHOUT_MANAGE }),
    revoked: await seedKey(store, orgA.id, owner.id, { name: 'Revoked key' }),
    expired: await seedKey(store, orgA.id, owner.id, { name: 'Expired key', createdAt: twoDaysBefore, expiresAt: dayBefore }),
    other: await seedKey(store, orgB.id, otherOwner.id, { name: 'Other org key' }),
    target: await seedKey(store, orgA.id, owner.id, {
      name: 'CI Deploy Key',
      description: 'Used by CI',
      scopes: ['deploy:use-case', 'projects:read'],
    }),
    otherTarget: await seedKey(store, orgB.id, otherOwner.id, { name: 'Other target', scopes: ['projects:read'] }),
  };
  const revoked = await store.revokeKey({
    organizationId: orgA.id,
    keyId: keys.revoked.id,
    now: T0,
    audit: { at: T0, requestId: newId(), actorKeyId: null, actorUserId: null, sourceIp: null, userAgent: 'seed' },
  });
  if (revoked.status !== 'revoked') throw new Error('seed: key not revoked');
  return { orgA, orgB, users: { owner, admin, member, otherOwner, otherMember, former }, keys };
}

/** A well-formed key (valid checksum) that was never stored. */
export function unknownKey(): string {
  return generateKey('cko_');
}

/** A key with the right shape but a wrong checksum. */
export function badChecksumKey(raw: string): string {
  const last = raw.at(-1);
  return raw.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

/** The response schema of every path the contract describes: the operations and the dashboard's endpoints. */
const RESPONSE_SCHEMAS = new Map<string, z.ZodType>([
  ...Object.entries(OPERATIONS).map(([name, op]) => [op.path, OPERATION_SCHEMAS[name as OperationName].response] as const),
  ...Object.entries(DASHBOARD_API).map(([name, path]) => [path, DASHBOARD_SCHEMAS[name as DashboardEndpoint].response] as const),
]);

/**
 * Every success answer of a path of the contract must be exactly what its response schema
 * describes: a field missing or of another type, or a field the schema does not name (which
 * parsing drops), fails the test that made the call.
 */
export function checkAnswerShape(path: string, body: unknown): void {
  const schema = RESPONSE_SCHEMAS.get(path.split('?')[0] as string);
  if (schema === undefined || (body as { success?: unknown } | undefined)?.success !== true) return;
  const data = (body as { data: unknown }).data;
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new Error(`${path} answered data its response schema refuses: ${parsed.error.message}`);
  if (!isDeepStrictEqual(parsed.data, data)) {
    throw new Error(`${path} answered a field its response schema does not name: ${JSON.stringify(data)}`);
  }
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const baseStore = await routeStoreFactory.create();
  const seeded = await seed(baseStore);
  const store = options.wrapStore ? options.wrapStore(baseStore) : baseStore;
  const clock = testClock();
  const logs = captureLogs();
  const outbox = memoryOutbox();
  const app = await buildApp({
    mailer: options.mailer ?? outbox,
    ...(options.signup === undefined ? {} : { signup: options.signup }),
    ...(options.codeRequestBudget === undefined ? {} : { codeRequestBudget: options.codeRequestBudget }),
    ...(options.authFailureBudget === undefined ? {} : { authFailureBudget: options.authFailureBudget }),
    ...(options.deniedAttemptBudget === undefined ? {} : { deniedAttemptBudget: options.deniedAttemptBudget }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.serveMetrics === undefined ? {} : { serveMetrics: options.serveMetrics }),
    store,
    clock: clock.clock,
    logger: { level: options.logLevel ?? 'info', stream: logs.stream },
    ...(options.maxKeysPerOrg === undefined ? {} : { maxKeysPerOrg: options.maxKeysPerOrg }),
    ...(options.lastUsedIntervalMs === undefined ? {} : { lastUsedIntervalMs: options.lastUsedIntervalMs }),
    lastUsedWaitMs: options.lastUsedWaitMs ?? 5_000,
    ...(options.keyConcurrency === undefined ? {} : { keyConcurrency: options.keyConcurrency }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  await app.ready();

  const call = async (path: string, body?: unknown, callOptions: CallOptions = {}): Promise<CallResult> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...callOptions.headers };
    if (callOptions.key) headers['x-process-manager-key'] = callOptions.key;
    const payload = callOptions.payload ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await app.inject({
      method: callOptions.method ?? 'POST',
      url: path,
      headers,
      ...(payload === undefined ? {} : { payload }),
      ...(callOptions.remoteAddress === undefined ? {} : { remoteAddress: callOptions.remoteAddress }),
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      parsed = undefined;
    }
    checkAnswerShape(path, parsed);
    return { status: res.statusCode, body: parsed, text: res.body, headers: res.headers };
  };

  return {
    ...seeded,
    app,
    store,
    clock,
    logs,
    outbox,
    call,
    audit: async () => {
      const rows = await baseStore.listAudit({ limit: 1_000_000 });
      return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
    record: async (key) => {
      const auth = await baseStore.findAuthByHash(hashKey(key.raw));
      if (!auth) throw new Error(`no key ${key.id}`);
      return auth.key;
    },
    close: async () => {
      await app.close();
      await baseStore.close();
    },
  };
}

/** The envelope without its request id, for byte-for-byte comparisons of answers. */
export function withoutRequestId(text: string): string {
  return text.replace(/"requestId":"[^"]*"/, '"requestId":"-"');
}

/**
 * Everything a denied request must leave untouched: every seeded key's stored record
 * (revoked ones included; last use aside, which any authenticated call may record), the
 * live keys of both organizations (so nothing was created) and their members and roles.
 */
export async function snapshotKeys(t: TestApp): Promise<unknown> {
  const records: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(t.keys)) {
    const { lastUsedAt: _lastUsed, lastUsedIp: _lastUsedIp, ...rest } = await t.record(key);
    records[name] = rest;
  }
  const live = async (orgId: string) =>
    (await t.store.listLiveKeys(orgId, t.clock.now().toISOString())).map(({ lastUsedAt: _l, lastUsedIp: _i, ...rest }) => rest);
  const members = async (orgId: string) => await t.store.listMembers(orgId, t.clock.now().toISOString());
  return {
    records,
    liveA: await live(t.orgA.id),
    liveB: await live(t.orgB.id),
    membersA: await members(t.orgA.id),
    membersB: await members(t.orgB.id),
  };
}

/** The store with some methods replaced (spies, injected failures); the rest bound to the original. */
export function overrideStore(store: Store, overrides: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, prop, _receiver) {
      if (Object.hasOwn(overrides, prop)) return overrides[prop as keyof Store];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Every raw key a seed holds, to assert none leaks into a log or an answer. */
export function rawKeysOf(seedData: Seed): string[] {
  return Object.values(seedData.keys).map((k) => k.raw);
}
