/**
 * Several instances, one truth: two real `codika-server start` processes on one PostgreSQL
 * schema. A change answered 200 by one instance holds on the other from the very next
 * request. Each instance caches authentication records, but serves one only after a fence on
 * its LISTEN connection has shown that no change was committed since it was read
 * (store/auth-fence.ts); cutting every connection of B (the LISTEN one included) makes B read
 * the rows until it listens again — never serve a stale record.
 *
 * PostgreSQL only (CODIKA_TEST_DATABASE_URL); needs the build (`npm test` builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalScopes, SCOPES, type Scope } from '@codika/contract/scopes';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import type { SqlStore } from '../src/store/sql-store.js';
import type { Store } from '../src/store/types.js';
import { createTestSchema, type TestSchema, testDatabaseUrl } from '../src/test-support/stores.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const RACERS = 50;
/** B's connections carry this name, so the test can cut exactly them. */
const appB = `codika-b-${randomBytes(6).toString('hex')}`;

interface Instance {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startInstance(databaseUrl: string, extra: string[] = []): Promise<Instance> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--database-url', databaseUrl, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CODIKA_DB: '', DATABASE_URL: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start in time\n${stdout}\n${stderr}`)), 20_000);
    const check = () => {
      const url = /^codika-server listening on (http:\/\/\S+)$/m.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({ child, url, stdout: () => stdout, exited });
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited early (${code})\n${stdout}\n${stderr}`));
    });
  });
}

function dbOf(store: Store): Kysely<unknown> {
  // biome-ignore lint/complexity/useLiteralKeys: reaching into the private Kysely instance for the test
  return (store as SqlStore)['db'] as unknown as Kysely<unknown>;
}

async function call(instance: Instance, path: string, key: string, body: unknown = {}) {
  const res = await fetch(`${instance.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-process-manager-key': key },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field below
  return { status: res.status, body: (await res.json()) as any };
}

describe.skipIf(!testDatabaseUrl)('two codika-server instances on one PostgreSQL database', () => {
  let schema: TestSchema;
  let a: Instance;
  let b: Instance;
  let owner: string;
  let organizationId: string;
  let store: Store;

  async function createKey(name: string, scopes: Scope[]): Promise<{ keyId: string; apiKey: string }> {
    const res = await call(a, '/createorganizationapikeypublic', owner, { organizationId, name, scopes });
    expect(res.status).toBe(200);
    return res.body.data;
  }

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
    schema = await createTestSchema();
    // Both start at once on the empty schema (their migrations queue on the schema's lock);
    // A bootstraps the first organization and prints its owner key.
    const urlB = new URL(schema.url);
    urlB.searchParams.set('application_name', appB);
    [a, b] = await Promise.all([startInstance(schema.url, ['--first-run-bootstrap']), startInstance(urlB.toString())]);
    owner = /^ {2}(cko_\S+)$/m.exec(a.stdout())?.[1] as string;
    expect(owner).toMatch(/^cko_/);
    const whoami = await call(b, '/verifyapikey', owner);
    expect(whoami.status).toBe(200);
    organizationId = whoami.body.data.organizationId;
    store = await openStore({ databaseUrl: schema.url });
  });

  afterAll(async () => {
    for (const instance of [a, b]) {
      if (!instance) continue;
      instance.child.kill('SIGTERM');
      expect(await instance.exited).toBe(0);
    }
    await store?.close();
    await schema?.drop();
  });

  it('a scope removed through A is refused by B on the very next request (403 INSUFFICIENT_SCOPE), and given back at once', async () => {
    const { keyId, apiKey } = await createKey('Ops key', ['api-keys:manage', 'projects:read']);
    for (let round = 0; round < 5; round++) {
      expect((await call(b, '/listorganizationapikeyspublic', apiKey)).status).toBe(200);

      const removed = await call(a, '/updateorganizationapikeypublic', owner, { keyId, removeScopes: ['api-keys:manage'] });
      expect(removed.status).toBe(200);
      const refused = await call(b, '/listorganizationapikeyspublic', apiKey);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'INSUFFICIENT_SCOPE', details: { required: 'api-keys:manage' } });
      expect((await call(b, '/verifyapikey', apiKey)).body.data.scopes).toEqual(['projects:read']);

      const added = await call(a, '/updateorganizationapikeypublic', owner, { keyId, addScopes: ['api-keys:manage'] });
      expect(added.status).toBe(200);
    }
  });

  it('after every database connection of B has been cut, B still enforces the latest change at once', async () => {
    const { keyId, apiKey } = await createKey('Cut key', ['api-keys:manage', 'projects:read']);
    expect((await call(b, '/listorganizationapikeyspublic', apiKey)).status).toBe(200);
    const { rows } = await sql<{ cut: number }>`
      select count(pg_terminate_backend(pid))::int as cut from pg_stat_activity where application_name = ${appB}`.execute(
      dbOf(store),
    );
    expect(rows[0]?.cut).toBeGreaterThan(0);
    const removed = await call(a, '/updateorganizationapikeypublic', owner, { keyId, removeScopes: ['api-keys:manage'] });
    expect(removed.status).toBe(200);
    const refused = await call(b, '/listorganizationapikeyspublic', apiKey);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('INSUFFICIENT_SCOPE');
  });

  it('a key revoked through A is refused by B on the very next request (401)', async () => {
    const { keyId, apiKey } = await createKey('Soon revoked', ['projects:read']);
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(200);
    const revoked = await call(a, '/revokeorganizationapikeypublic', owner, { keyId });
    expect(revoked.status).toBe(200);
    const refused = await call(b, '/verifyapikey', apiKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    expect((await call(a, '/verifyapikey', apiKey)).status).toBe(401);
  });

  // The key lifecycle (issue 12): what A changes, B enforces at the next request.

  it('a key disabled through A is refused by B on the very next request (401), and serves again once enabled', async () => {
    const { keyId, apiKey } = await createKey('Soon disabled', ['projects:read']);
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(200);
    expect((await call(a, '/updateorganizationapikeypublic', owner, { keyId, enabled: false })).status).toBe(200);
    const refused = await call(b, '/verifyapikey', apiKey);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    expect((await call(a, '/updateorganizationapikeypublic', owner, { keyId, enabled: true })).status).toBe(200);
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(200);
  });

  it('an allowlist set through A that leaves out the caller is enforced by B at the next request; widening it through A lets B serve again', async () => {
    const { keyId, apiKey } = await createKey('Pinned', ['projects:read']);
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(200);
    expect((await call(a, '/updateorganizationapikeypublic', owner, { keyId, allowedIps: ['10.0.0.0/8'] })).status).toBe(200);
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(401);
    const rows = await store.listAudit({ organizationId, targetKeyId: keyId });
    expect(rows.find((r) => r.action === 'key.use_denied')).toMatchObject({ reason: 'IP_NOT_ALLOWED', sourceIp: '127.0.0.1' });
    expect(
      (await call(a, '/updateorganizationapikeypublic', owner, { keyId, allowedIps: ['10.0.0.0/8', '127.0.0.0/8'] })).status,
    ).toBe(200);
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(200);
  });

  it('a rotation through A: B serves the old secret during its grace period (saying so) and refuses it at the first request after it ends', async () => {
    const { keyId, apiKey } = await createKey('Rotated', ['projects:read']);
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(200);
    const rotated = await call(a, '/rotateorganizationapikeypublic', owner, { keyId, gracePeriodSeconds: 2 });
    expect(rotated.status).toBe(200);
    const end = Date.parse(rotated.body.data.previousSecretExpiresAt);
    const during = await call(b, '/verifyapikey', apiKey);
    expect(during.status).toBe(200);
    expect(during.body.data.rotation).toEqual({ previousSecretExpiresAt: rotated.body.data.previousSecretExpiresAt });
    expect((await call(b, '/verifyapikey', rotated.body.data.apiKey)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, end - Date.now()) + 50));
    expect((await call(b, '/verifyapikey', apiKey)).status).toBe(401);
    expect((await call(a, '/verifyapikey', apiKey)).status).toBe(401);
    expect((await call(b, '/verifyapikey', rotated.body.data.apiKey)).status).toBe(200);
  });

  it(`${RACERS} racing add/remove requests spread over both instances lose no update; allowed audit rows = 200 answers`, async () => {
    // The key starts with the last five scopes; half the requests each add one of the first
    // five, half each remove one of the last five, alternating between A and B, all at once.
    const { keyId } = await createKey('Raced key', SCOPES.slice(5) as Scope[]);
    const answers = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => {
        const scope = SCOPES[i % 10] as Scope;
        const change = i % 10 < 5 ? { addScopes: [scope] } : { removeScopes: [scope] };
        return call(i % 2 === 0 ? a : b, '/updateorganizationapikeypublic', owner, { keyId, ...change });
      }),
    );
    const ok = answers.filter((r) => r.status === 200).length;
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: RACERS }, () => 200));

    for (const instance of [a, b]) {
      const got = await call(instance, '/getorganizationapikeypublic', owner, { keyId });
      expect(got.body.data.scopes).toEqual(canonicalScopes(SCOPES.slice(0, 5)));
    }
    const audit = await store.listAudit({ organizationId, targetKeyId: keyId, limit: 10_000 });
    expect(audit.filter((row) => row.action === 'key.update' && row.result === 'allowed')).toHaveLength(ok);
    expect(audit.filter((row) => row.action === 'key.update')).toHaveLength(RACERS);
  });
});
