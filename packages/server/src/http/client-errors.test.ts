/**
 * Requests Node's parser refuses (or answers by itself) get the envelope and a request id:
 * 431, obs-fold, NUL in a header, Content-Length with Transfer-Encoding, a missing Host,
 * an unsupported Expect, CONNECT.
 */
import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { captureLogs, type LogCapture } from '../test-support/http.js';

let store: Store;
let app: FastifyInstance;
let port: number;
let logs: LogCapture;

beforeAll(async () => {
  store = await openStore({ sqliteFile: ':memory:' });
  await store.migrate();
  logs = captureLogs();
  app = await buildApp({ store, logger: { stream: logs.stream }, dashboardDir: null });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});

afterAll(async () => {
  await app.close();
  await store.close();
});

async function exchange(raw: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    text += d;
  });
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  socket.write(Buffer.from(raw, 'latin1'));
  await Promise.race([new Promise((r) => socket.once('close', r)), new Promise((r) => setTimeout(r, 1_000))]);
  socket.destroy();
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = text.slice(end + 4);
  return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(statusLine ?? '')?.[1]), headers, body };
}

const CASES: [string, string, number, string][] = [
  ['headers over 16 KiB', `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'HEADERS_TOO_LARGE'],
  ['obs-fold', 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n', 400, 'VALIDATION_ERROR'],
  ['NUL in a header value', 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\u0000c\r\n\r\n', 400, 'VALIDATION_ERROR'],
  [
    'Content-Length with Transfer-Encoding',
    'POST /verifyapikey HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    400,
    'VALIDATION_ERROR',
  ],
  ['no Host', 'GET /healthz HTTP/1.1\r\n\r\n', 400, 'VALIDATION_ERROR'],
  ['not HTTP', 'HELLO\r\n\r\n', 400, 'VALIDATION_ERROR'],
  ['CONNECT', 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n', 405, 'METHOD_NOT_ALLOWED'],
  [
    'an unsupported Expect (served as if absent)',
    'POST /verifyapikey HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    401,
    'UNAUTHENTICATED',
  ],
];

describe('answers to malformed HTTP', () => {
  it.each(CASES)('%s: the envelope with a request id', async (_name, raw, status, code) => {
    const res = await exchange(raw);
    expect(res.status).toBe(status);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ success: false, error: { code } });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-request-id']).toBe(body.requestId);
  });

  it('logs the refusal with its request id', async () => {
    const res = await exchange('GET /healthz HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n');
    const id = JSON.parse(res.body).requestId;
    await new Promise((r) => setTimeout(r, 50));
    const line = logs.lines().find((l) => l.requestId === id);
    expect(line).toMatchObject({ errorCode: 'VALIDATION_ERROR', msg: 'request refused by the HTTP parser' });
  });
});
