/**
 * The world the hardening figures run in: a store on SQLite (a file under /dev/shm or the
 * temp dir, so another connection can dump it) or on PostgreSQL (a fresh schema), seeded
 * with two organizations, users of every role (one demoted after making its key, one
 * removed, a member of the other organization), caller
 * keys that hold every scope but `integrations:manage` (so there is something "beyond"
 * them), revoked and expired keys and targets; an app over it; and a dump of every table
 * but the audit log, to tell whether a request changed anything.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCOPES, type Scope } from '@codika/contract/scopes';
import SqliteDatabase from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { type AppDeps, buildApp } from '../../src/app.js';
import { newId } from '../../src/ids.js';
import { openStore } from '../../src/store/index.js';
import type { AuditEntry, Organization, Store, User } from '../../src/store/types.js';
import { captureLogs, type LogCapture, seedKey, seedUser, testClock } from '../../src/test-support/http.js';
import { note } from './figures.js';

export const T0 = '2026-03-31T14:00:00.000Z';
/** The clock the apps run at: just after T0, so the keys' last use (T0) is not rewritten. */
export const NOW = '2026-03-31T14:00:01.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Every scope but integrations:manage: what the callers hold. */
export const CALLER_SCOPES: Scope[] = SCOPES.filter((s) => s !== 'integrations:manage');
/** A scope no caller holds. */
export const BEYOND_SCOPE: Scope = 'integrations:manage';

export interface Key {
  id: string;
  raw: string;
}

export interface WorldSeed {
  orgA: Organization;
  orgB: Organization;
  users: {
    owner: User;
    admin: User;
    member: User;
    demoted: User;
    otherOwner: User;
    /** orgB, member, no key: a member target in the other organization. */
    otherMember: User;
    /** Was a member of orgA and was removed, no key: a former member. */
    former: User;
  };
  keys: {
    owner: Key;
    admin: Key;
    member: Key;
    /** Made while its user was admin; the user is a member now. */
    demoted: Key;
    /** orgA admin, every caller scope but api-keys:manage. */
    lacking: Key;
    revoked: Key;
    expired: Key;
    /** orgB owner. */
    other: Key;
    /** orgA: the usual target. */
    target: Key;
    /** orgB: a target in the other organization. */
    otherTarget: Key;
    /** orgA, revoked: a revoked target. */
    revokedTarget: Key;
  };
}

export type BackendName = 'sqlite' | 'postgres';

export interface World {
  backend: BackendName;
  store: Store;
  seed: WorldSeed;
  /** Every table but the audit log (and the migrator's), rows sorted: equal dumps, equal data. */
  dump(): Promise<string>;
  /** Every table including the audit log, as text (to search for raw keys). */
  dumpAll(): Promise<string>;
  /** Every audit row of both organizations. */
  audit(): Promise<AuditEntry[]>;
  close(): Promise<void>;
}

function operatorAudit(organizationId: string, action: 'key.revoke', targetKeyId: string) {
  return {
    at: T0,
    requestId: newId(),
    action,
    actorKeyId: null,
    actorUserId: null,
    organizationId,
    targetKeyId,
    sourceIp: null,
    userAgent: 'hardening seed',
  } as const;
}

export async function seedWorld(store: Store): Promise<WorldSeed> {
  const orgA = await store.createOrganization({ id: newId(), name: 'Acme Corp', createdAt: T0 });
  const orgB = await store.createOrganization({ id: newId(), name: 'Other Org', createdAt: T0 });
  const owner = await seedUser(store, orgA.id, 'owner@acme.test', 'owner');
  const admin = await seedUser(store, orgA.id, 'admin@acme.test', 'admin');
  const member = await seedUser(store, orgA.id, 'member@acme.test', 'member');
  const demoted = await seedUser(store, orgA.id, 'demoted@acme.test', 'admin');
  const otherOwner = await seedUser(store, orgB.id, 'owner@other.test', 'owner');
  const otherMember = await seedUser(store, orgB.id, 'member@other.test', 'member');
  const former = await seedUser(store, orgA.id, 'former@acme.test', 'member');
  await store.removeMembership(orgA.id, former.id);
  const dayBefore = new Date(Date.parse(T0) - DAY_MS).toISOString();
  const twoDaysBefore = new Date(Date.parse(T0) - 2 * DAY_MS).toISOString();
  const k = async (orgId: string, userId: string, name: string, options: { scopes?: Scope[]; description?: string } = {}) => {
    const key = await seedKey(store, orgId, userId, {
      name,
      scopes: options.scopes ?? CALLER_SCOPES,
      description: options.description ?? '',
    });
    return { id: key.id, raw: key.raw };
  };
  const keys: WorldSeed['keys'] = {
    owner: await k(orgA.id, owner.id, 'Owner key'),
    admin: await k(orgA.id, admin.id, 'Admin key'),
    member: await k(orgA.id, member.id, 'Member key'),
    demoted: await k(orgA.id, demoted.id, 'Demoted key'),
    lacking: await k(orgA.id, admin.id, 'No manage', { scopes: CALLER_SCOPES.filter((s) => s !== 'api-keys:manage') }),
    revoked: await k(orgA.id, owner.id, 'Revoked key'),
    expired: await (async () => {
      const key = await seedKey(store, orgA.id, owner.id, {
        name: 'Expired key',
        scopes: CALLER_SCOPES,
        createdAt: twoDaysBefore,
        expiresAt: dayBefore,
      });
      return { id: key.id, raw: key.raw };
    })(),
    other: await k(orgB.id, otherOwner.id, 'Other org key'),
    target: await k(orgA.id, owner.id, 'CI Deploy Key', {
      scopes: ['deploy:use-case', 'projects:read'],
      description: 'Used by CI',
    }),
    otherTarget: await k(orgB.id, otherOwner.id, 'Other target', { scopes: ['deploy:use-case', 'projects:read'] }),
    revokedTarget: await k(orgA.id, owner.id, 'Revoked target', { scopes: ['deploy:use-case', 'projects:read'] }),
  };
  for (const key of [keys.revoked, keys.revokedTarget]) {
    const outcome = await store.revokeKey({
      organizationId: orgA.id,
      keyId: key.id,
      now: T0,
      audit: operatorAudit(orgA.id, 'key.revoke', key.id),
    });
    if (outcome.status !== 'revoked') throw new Error('seed: key not revoked');
  }
  // The demoted user made its key as an admin; now it is a member.
  await store.setMembership({ organizationId: orgA.id, userId: demoted.id, role: 'member' });
  // Every key was last used at T0: requests at NOW (one second later) write nothing.
  for (const key of Object.values(keys)) await store.touchLastUsed(key.id, T0, T0);
  return { orgA, orgB, users: { owner, admin, member, demoted, otherOwner, otherMember, former }, keys };
}

// ---- backends ------------------------------------------------------------------

/** A directory for database files: /dev/shm when there is one (fast fsync), else the temp dir. */
export function scratchDir(prefix: string): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(base, prefix));
}

function sortedRowsText(tables: Record<string, unknown[]>): string {
  const out: Record<string, string[]> = {};
  for (const [name, rows] of Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return JSON.stringify(out);
}

async function auditOf(store: Store, seed: WorldSeed): Promise<AuditEntry[]> {
  return [
    ...(await store.listAudit({ organizationId: seed.orgA.id, limit: 1_000_000 })),
    ...(await store.listAudit({ organizationId: seed.orgB.id, limit: 1_000_000 })),
  ];
}

/** A fresh SQLite world in its own file. */
export async function sqliteWorld(): Promise<World & { file: string }> {
  const dir = scratchDir('codika-hardening-');
  const file = join(dir, 'world.db');
  const store = await openStore({ sqliteFile: file });
  await store.migrate();
  const seed = await seedWorld(store);
  const reader = new SqliteDatabase(file, { readonly: true });
  const tables = (withAudit: boolean) =>
    (reader.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[])
      .map((t) => t.name)
      .filter((n) => !n.startsWith('sqlite_') && !n.startsWith('kysely_') && (withAudit || n !== 'audit_log'));
  const dumpTables = (withAudit: boolean) => {
    const out: Record<string, unknown[]> = {};
    for (const name of tables(withAudit)) out[name] = reader.prepare(`SELECT * FROM "${name}"`).all();
    return sortedRowsText(out);
  };
  return {
    backend: 'sqlite',
    file,
    store,
    seed,
    dump: async () => dumpTables(false),
    dumpAll: async () => dumpTables(true),
    audit: () => auditOf(store, seed),
    close: async () => {
      reader.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface TestSchemaLike {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** The PostgreSQL test database, when CODIKA_TEST_DATABASE_URL is set and the store supports it. */
export async function postgresAvailable(): Promise<{ createTestSchema(): Promise<TestSchemaLike> } | string> {
  const stores = (await import('../../src/test-support/stores.js')) as Record<string, unknown>;
  if (!process.env.CODIKA_TEST_DATABASE_URL?.trim()) return 'CODIKA_TEST_DATABASE_URL is not set';
  if (typeof stores.createTestSchema !== 'function') return 'this tree has no PostgreSQL test schemas (test-support/stores.ts)';
  return { createTestSchema: stores.createTestSchema as () => Promise<TestSchemaLike> };
}

/**
 * A fresh schema with a migrated store. Setting up (never a figure) is tried up to three
 * times when PostgreSQL answers 3F000 "schema does not exist" for the schema just created
 * (seen intermittently from a parallel worker during the migrator's introspection); each
 * retry is printed and kept with the figures.
 */
async function freshPostgresStore(pgSupport: {
  createTestSchema(): Promise<TestSchemaLike>;
}): Promise<{ schema: TestSchemaLike; store: Store }> {
  for (let attempt = 1; ; attempt++) {
    const schema = await pgSupport.createTestSchema();
    const store = await openStore({ databaseUrl: schema.url } as never);
    try {
      await store.migrate();
      return { schema, store };
    } catch (err) {
      await store.close().catch(() => {});
      await schema.drop().catch(() => {});
      const code = (err as { cause?: { code?: string } }).cause?.code;
      if (code !== '3F000' || attempt >= 3) throw err;
      note(
        'postgres set-up',
        `retrying a world's set-up after 3F000 on a fresh schema (attempt ${attempt}): ${String(err).slice(0, 160)}`,
      );
    }
  }
}

/** A fresh PostgreSQL world in its own schema. */
export async function postgresWorld(pgSupport: {
  createTestSchema(): Promise<TestSchemaLike>;
}): Promise<World & { url: string }> {
  const { schema, store } = await freshPostgresStore(pgSupport);
  const seed = await seedWorld(store);
  const client = new pg.Client({ connectionString: schema.url });
  await client.connect();
  const dumpTables = async (withAudit: boolean) => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    const out: Record<string, unknown[]> = {};
    for (const { table_name: name } of rows) {
      if (name.startsWith('kysely_') || (!withAudit && name === 'audit_log')) continue;
      out[name] = (await client.query(`SELECT * FROM "${name}"`)).rows;
    }
    return sortedRowsText(out);
  };
  return {
    backend: 'postgres',
    url: schema.url,
    store,
    seed,
    dump: () => dumpTables(false),
    dumpAll: () => dumpTables(true),
    audit: () => auditOf(store, seed),
    close: async () => {
      await client.end();
      await store.close();
      await schema.drop();
    },
  };
}

// ---- apps ------------------------------------------------------------------------

export interface WorldApp {
  app: FastifyInstance;
  logs: LogCapture;
  close(): Promise<void>;
}

/** An app over `store` at NOW, its log captured (level info unless told). */
export async function appOver(store: Store, options: Partial<AppDeps> & { logLevel?: string } = {}): Promise<WorldApp> {
  const clock = testClock(NOW);
  const logs = captureLogs();
  const { logLevel, ...rest } = options;
  const app = await buildApp({
    store,
    clock: clock.clock,
    logger: { level: logLevel ?? 'info', stream: logs.stream },
    // Every attempt of a figure is judged (see server-process.ts): no budget of refused attempts.
    deniedAttemptBudget: false,
    ...rest,
  });
  await app.ready();
  return { app, logs, close: () => app.close() };
}

export interface Answer {
  status: number;
  text: string;
  headers: Record<string, unknown>;
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected loosely
  body: any;
}

export async function post(
  app: FastifyInstance,
  path: string,
  options: { key?: string | null; body?: unknown; payload?: string | Buffer; contentType?: string | null; ip?: string },
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.contentType !== null) headers['content-type'] = options.contentType ?? 'application/json';
  if (options.key) headers['x-process-manager-key'] = options.key;
  const payload = options.payload ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const res = await app.inject({
    method: 'POST',
    url: path,
    headers,
    ...(payload === undefined ? {} : { payload }),
    ...(options.ip === undefined ? {} : { remoteAddress: options.ip }),
  });
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  return { status: res.statusCode, text: res.body, headers: res.headers, body };
}

/** An address per request index, so the brute-force throttle (tested on its own) stays out of the way. */
export function ipOf(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** The envelope text without its request id. */
export function withoutRequestId(text: string): string {
  return text.replace(/"requestId":"[^"]*"/g, '"requestId":"-"');
}
