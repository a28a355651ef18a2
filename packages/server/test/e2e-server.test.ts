/**
 * End to end: the built `codika-server start` as a real process, over real HTTP.
 * Needs the build (`npm test` builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Server {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startServer(db: string): Promise<Server> {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', '--db', db, '--first-run-bootstrap'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CODIKA_DB: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in time\nstdout:\n${stdout}\nstderr:\n${stderr}`)),
      15_000,
    );
    const check = () => {
      const url = /^codika-server listening on (http:\/\/\S+)$/m.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve({ child, url, stdout: () => stdout, stderr: () => stderr, exited });
      }
    };
    child.stdout?.on('data', check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (${code})\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    });
  });
}

async function post(url: string, path: string, key: string, body: unknown) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-process-manager-key': key },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked field by field below
  const json = (await res.json()) as any;
  return { status: res.status, requestIdHeader: res.headers.get('x-request-id'), json };
}

describe('codika-server start, as a real process', () => {
  let dir: string;
  let server: Server | undefined;

  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first (npm test does)`);
    dir = mkdtempSync(join(tmpdir(), 'codika-e2e-'));
  });

  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('bootstraps on first start, answers the key protocol over HTTP, and exits 0 on SIGTERM', async () => {
    const db = join(dir, '.codika', 'codika.db');
    server = await startServer(db);
    const { url } = server;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);

    // The owner key: printed once on stdout, and saved with mode 0600 beside the database.
    const printedKey = /^\s+(cko_[0-9A-Za-z]{28})$/m.exec(server.stdout())?.[1];
    const keyFile = join(dir, '.codika', 'owner-key');
    const ownerKey = readFileSync(keyFile, 'utf8').trim();
    expect(printedKey).toBe(ownerKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    // Who am I.
    const who = await post(url, '/verifyapikey', ownerKey, {});
    expect(who.status).toBe(200);
    expect(who.json).toEqual({
      success: true,
      data: {
        type: 'org-api-key',
        keyId: expect.stringMatching(UUID_V7),
        keyName: expect.any(String),
        keyPrefix: ownerKey.slice(0, 8),
        scopes: [
          'api-keys:manage',
          'deploy:use-case',
          'executions:read',
          'instances:manage',
          'instances:read',
          'integrations:manage',
          'projects:create',
          'projects:read',
          'skills:read',
          'workflows:trigger',
        ],
        organizationId: expect.any(String),
        organizationName: 'Default Organization',
        createdAt: expect.stringMatching(ISO_MS),
        ...(who.json.data?.lastUsedAt === undefined ? {} : { lastUsedAt: expect.stringMatching(ISO_MS) }),
      },
      requestId: expect.stringMatching(UUID_V7),
    });
    expect(who.requestIdHeader).toBe(who.json.requestId);

    // A key to change, then the seed's operation on it.
    const created = await post(url, '/createorganizationapikeypublic', ownerKey, {
      organizationId: who.json.data.organizationId,
      name: 'CI Deploy Key',
      scopes: ['projects:read', 'deploy:use-case'],
    });
    expect(created.status).toBe(200);
    const { keyId, apiKey } = created.json.data as { keyId: string; apiKey: string };

    const updated = await post(url, '/updateorganizationapikeypublic', ownerKey, {
      keyId,
      name: 'Production Deploy Key',
      description: 'Used by CI/CD pipeline',
      scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
    });
    expect(updated.status).toBe(200);
    // The seed's JSON output, field for field (an answer may add `previous`).
    expect(Object.keys(updated.json).sort()).toEqual(['data', 'requestId', 'success']);
    expect(updated.json.success).toBe(true);
    expect(updated.json.requestId).toMatch(UUID_V7);
    expect(updated.requestIdHeader).toBe(updated.json.requestId);
    const { previous, ...data } = updated.json.data;
    expect(data).toEqual({
      keyId,
      name: 'Production Deploy Key',
      description: 'Used by CI/CD pipeline',
      // Canonical (alphabetical, as in the seed's output) order, whatever order they were sent in.
      scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
      updatedAt: expect.stringMatching(ISO_MS),
    });
    if (previous !== undefined) {
      expect(previous).toEqual({ name: 'CI Deploy Key', description: '', scopes: ['deploy:use-case', 'projects:read'] });
    }

    // The change takes effect at once for the updated key itself.
    const after = await post(url, '/verifyapikey', apiKey, {});
    expect(after.json.data).toMatchObject({
      keyId,
      keyName: 'Production Deploy Key',
      scopes: ['deploy:use-case', 'instances:read', 'projects:read'],
    });

    // Never a raw key in the logs (stdout holds the one-time banner; nothing else may repeat it).
    expect(server.stdout().split(ownerKey).length - 1).toBe(1);
    expect(server.stdout()).not.toContain(apiKey);
    expect(server.stderr()).not.toContain(ownerKey);

    // Graceful shutdown.
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});
