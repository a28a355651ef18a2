/**
 * The connection cap: past it, the connection waiting longest without being owed an answer
 * (idle, or its request incomplete) gives way to the new one; a connection whose request has
 * fully arrived is never closed by the cap; when all are owed an answer, the new one is refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionGuard } from './connection-guard.js';

interface Harness {
  server: Server;
  guard: ConnectionGuard;
  port: number;
  /** Requests that have fully arrived and are waiting for `release()`. */
  held: ServerResponse[];
  release(): void;
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

async function harness(max: number): Promise<Harness> {
  const held: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/hold') held.push(response);
      else response.end('ok');
    });
  });
  const guard = new ConnectionGuard(max);
  guard.attach(server);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    server,
    guard,
    port,
    held,
    release: () => {
      for (const r of held.splice(0)) r.end('released');
    },
  };
}

interface Client {
  socket: Socket;
  closed(): boolean;
  received(): string;
}

async function open(port: number, send = ''): Promise<Client> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let closed = false;
  let received = '';
  socket.on('error', () => {});
  socket.on('data', (d) => {
    received += d;
  });
  socket.on('close', () => {
    closed = true;
  });
  await new Promise((r) => socket.once('connect', r));
  if (send) socket.write(send);
  await settle();
  return { socket, closed: () => closed, received: () => received };
}

const settle = () => new Promise((r) => setTimeout(r, 30));
const stalledBody = 'POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{';
const fullRequest = (path: string) => `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}`;

describe('ConnectionGuard', () => {
  it('closes the stalest connection that is owed nothing to make room, not the new one', async () => {
    const h = await harness(3);
    const first = await open(h.port, stalledBody);
    const second = await open(h.port); // idle: sent nothing
    const third = await open(h.port, stalledBody);
    const fourth = await open(h.port, fullRequest('/ok'));
    await settle();
    expect(first.closed()).toBe(true);
    expect([second.closed(), third.closed()]).toEqual([false, false]);
    expect(fourth.received()).toContain('200 OK');
    expect(h.guard.counts().evicted).toBe(1);
  });

  it('never closes a connection whose request has fully arrived; refuses the new one when all are owed', async () => {
    const h = await harness(2);
    const a = await open(h.port, fullRequest('/hold'));
    const b = await open(h.port, fullRequest('/hold'));
    expect(h.held.length).toBe(2);
    const c = await open(h.port, fullRequest('/ok'));
    await settle();
    expect(c.closed()).toBe(true);
    expect(c.received()).toBe('');
    expect([a.closed(), b.closed()]).toEqual([false, false]);
    expect(h.guard.counts().refused).toBe(1);
    h.release();
    await settle();
    expect(a.received()).toContain('released');
    expect(b.received()).toContain('released');
  });

  it('a keep-alive connection between requests is idle again (its last answer finished)', async () => {
    const h = await harness(2);
    const keepAlive = await open(h.port, fullRequest('/ok'));
    expect(keepAlive.received()).toContain('200 OK');
    const stalled = await open(h.port, stalledBody);
    await open(h.port, fullRequest('/ok'));
    await settle();
    // The keep-alive connection finished its answer before the stalled body began: it is the stalest.
    expect(keepAlive.closed()).toBe(true);
    expect(stalled.closed()).toBe(false);
  });

  it('closeIdleAndIncomplete closes what is owed nothing and keeps what is owed an answer', async () => {
    const h = await harness(10);
    const idle = await open(h.port);
    const stalled = await open(h.port, stalledBody);
    const owed = await open(h.port, fullRequest('/hold'));
    expect(h.guard.closeIdleAndIncomplete()).toBe(2);
    await settle();
    expect([idle.closed(), stalled.closed(), owed.closed()]).toEqual([true, true, false]);
    expect(h.guard.owed()).toBe(1);
    h.release();
    await settle();
    expect(owed.received()).toContain('released');
  });

  it('refuses a nonsense cap', () => {
    expect(() => new ConnectionGuard(0)).toThrow(RangeError);
    expect(() => new ConnectionGuard(1.5)).toThrow(RangeError);
  });
});
