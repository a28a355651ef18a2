/**
 * Figure 9, slow clients: a real `codika-server start` process with a lowered connection cap
 * (--max-connections 20, so the test needs tens of sockets rather than thousands) and
 * --request-timeout 2. Three times the cap of clients each send the headers of a 9 KB body
 * (half with a valid key, so authentication passes and the server waits for the body, half
 * without one) and one byte of it, then go silent. Meanwhile real clients make requests on
 * fresh connections: none may fail. The stalled connections must all be gone within the
 * request timeout (plus Node's one-second check). Then more stalled clients, idle and
 * keep-alive connections, and SIGTERM: the process must exit 0 within the shutdown deadline
 * (figure 10 adds a request the server still owes an answer, held by a locked database).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATIONS } from '@codika/contract';
import { describe, it } from 'vitest';
import { figure, note } from './support/figures.js';
import { openRaw, type RawClient } from './support/raw-http.js';
import { httpPost, startServer, stopServer } from './support/server-process.js';
import { scratchDir } from './support/world.js';

const CAP = 20;
const REQUEST_TIMEOUT_S = 2;
const SHUTDOWN_TIMEOUT_S = 3;
const VERIFY = OPERATIONS.verifyApiKey.path;

function stalledRequest(key: string | null): string {
  return [
    `POST ${VERIFY} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    'Content-Length: 9000',
    ...(key ? [`X-Process-Manager-Key: ${key}`] : []),
    '',
    '{',
  ].join('\r\n');
}

async function realRequest(url: string, key: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}${VERIFY}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-process-manager-key': key, connection: 'close' },
      body: '{}',
      signal: AbortSignal.timeout(5_000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

describe('figure 9: slow clients', () => {
  it('stalled bodies starve nobody, are closed by the request timeout, and do not hold up a shutdown', async () => {
    const suite = 'slow clients';
    const dir = scratchDir('codika-slow-');
    const server = await startServer([
      '--db',
      join(dir, 'codika.db'),
      '--first-run-bootstrap',
      '--max-connections',
      String(CAP),
      '--request-timeout',
      String(REQUEST_TIMEOUT_S),
      '--shutdown-timeout',
      String(SHUTDOWN_TIMEOUT_S),
      '--auth-failure-budget',
      'off',
    ]);
    const port = Number(new URL(server.url).port);
    const stalled: RawClient[] = [];
    try {
      const key = readFileSync(join(dir, 'owner-key'), 'utf8').trim();
      // The real clients use a key of their own: stalled requests hold turns of the key they
      // present (the fair share per key), which is the stalling key's business only.
      const who = await httpPost(server.url, VERIFY, key, {});
      const created = await httpPost(server.url, OPERATIONS.createKey.path, key, {
        organizationId: who.body.data.organizationId,
        name: 'real client',
        scopes: ['projects:read'],
      });
      const realKey = created.body.data.apiKey as string;

      // 1. Three times the cap of stalled bodies, with real requests interleaved.
      let realFailed = 0;
      let realTried = 0;
      for (let i = 0; i < 3 * CAP; i++) {
        stalled.push(await openRaw(port, stalledRequest(i % 2 === 0 ? key : null)));
        if (i % 6 === 5) {
          realTried++;
          if (!(await realRequest(server.url, realKey))) realFailed++;
        }
      }
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 20; i++) {
        realTried++;
        if (!(await realRequest(server.url, realKey))) realFailed++;
      }
      note(suite, `${stalled.length} stalled-body connections against a cap of ${CAP}; ${realTried} real requests`);
      figure(suite, `real requests (of ${realTried}) failed while ${3 * CAP} stalled bodies were open`, realFailed, {
        eq: 0,
      });

      // 2. Every stalled connection closed by the request timeout (or given way to a newer one).
      await Promise.race([Promise.all(stalled.map((c) => c.whenClosed)), new Promise((r) => setTimeout(r, 15_000))]);
      const stillOpen = stalled.filter((c) => !c.closed()).length;
      const longestHeldS = Math.max(...stalled.map((c) => c.heldMs())) / 1000;
      figure(suite, 'stalled connections still open 15 s after they stalled', stillOpen, { eq: 0 });
      figure(
        suite,
        `longest a stalled connection was held, in seconds (--request-timeout ${REQUEST_TIMEOUT_S}, checked every second)`,
        Math.round(longestHeldS * 10) / 10,
        { max: REQUEST_TIMEOUT_S + 1.5 },
      );
      const timeouts = stalled.filter((c) => c.received().startsWith('HTTP/1.1 408')).length;
      note(suite, `${timeouts} stalled connections were answered 408, the others gave way to newer connections`);

      // 3. Shutdown with stalled, idle and keep-alive connections open.
      const more: RawClient[] = [];
      for (let i = 0; i < CAP / 2; i++) more.push(await openRaw(port, stalledRequest(i % 2 === 0 ? key : null)));
      for (let i = 0; i < 5; i++) more.push(await openRaw(port, ''));
      more.push(await openRaw(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
      await new Promise((r) => setTimeout(r, 100));
      const signalled = performance.now();
      server.child.kill('SIGTERM');
      const exit = await server.exited;
      const shutdownMs = Math.round(performance.now() - signalled);
      figure(suite, `shutdown time with ${more.length} stalled, idle and keep-alive clients (ms)`, shutdownMs, {
        max: SHUTDOWN_TIMEOUT_S * 1000,
      });
      figure(suite, 'exit code after SIGTERM', exit.code ?? -1, { eq: 0 });
    } finally {
      for (const c of stalled) c.socket.destroy();
      await stopServer(server, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
