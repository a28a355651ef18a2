/**
 * Graceful shutdown: stop accepting, close idle and incomplete connections at once, answer the
 * requests already received, cut what is left at the deadline (or at once when forced).
 */
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import { shutdownGracefully } from './shutdown.js';

interface Harness {
  app: FastifyInstance;
  port: number;
  /** Resolve the requests waiting on /test-hold. */
  release(): void;
  /** Requests that reached /test-hold. */
  holding(): number;
}

const stores: Store[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of stores.splice(0)) await s.close();
});

async function harness(): Promise<Harness> {
  const store = await openStore({ sqliteFile: ':memory:' });
  await store.migrate();
  stores.push(store);
  const app = await buildApp({ store, logger: false, dashboardDir: null });
  const waiting: (() => void)[] = [];
  let holding = 0;
  app.get('/test-hold', async () => {
    holding++;
    await new Promise<void>((r) => waiting.push(r));
    return { held: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    port: (app.server.address() as { port: number }).port,
    release: () => {
      for (const r of waiting.splice(0)) r();
    },
    holding: () => holding,
  };
}

async function open(port: number, send: string): Promise<{ closed(): boolean; received(): string }> {
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
  await new Promise((r) => setTimeout(r, 50));
  return { closed: () => closed, received: () => received };
}

const stalledBody = 'POST /verifyapikey HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 9000\r\n\r\n{';
const hold = 'GET /test-hold HTTP/1.1\r\nHost: a\r\n\r\n';
const healthz = 'GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n';

describe('shutdownGracefully', () => {
  it('closes idle and incomplete connections at once and answers the requests already received', async () => {
    const h = await harness();
    const stalled = await open(h.port, stalledBody);
    const idle = await open(h.port, '');
    const keepAlive = await open(h.port, healthz);
    const owed = await open(h.port, hold);
    expect(keepAlive.received()).toContain('200 OK');
    expect(h.holding()).toBe(1);

    const done = shutdownGracefully(h.app, h.app.connectionGuard, 5_000);
    await new Promise((r) => setTimeout(r, 100));
    expect([stalled.closed(), idle.closed(), keepAlive.closed()]).toEqual([true, true, true]);
    expect(owed.closed()).toBe(false);
    // No new connections are accepted.
    await expect(fetch(`http://127.0.0.1:${h.port}/healthz`)).rejects.toThrow();

    h.release();
    const report = await done;
    await new Promise((r) => setTimeout(r, 50));
    expect(owed.received()).toMatch(/200 OK[\s\S]*[Cc]onnection: close[\s\S]*"held":true/);
    expect(report.cutAtDeadline).toBe(0);
    expect(report.closedAtOnce).toBeGreaterThanOrEqual(2);
    expect(report.ms).toBeLessThan(2_000);
  });

  it('cuts a request that is still unanswered at the deadline', async () => {
    const h = await harness();
    const owed = await open(h.port, hold);
    const report = await shutdownGracefully(h.app, h.app.connectionGuard, 300);
    expect(report.cutAtDeadline).toBe(1);
    expect(report.ms).toBeGreaterThanOrEqual(290);
    expect(report.ms).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(owed.closed()).toBe(true);
    h.release();
  });

  it('cuts at once when forced (a second signal)', async () => {
    const h = await harness();
    await open(h.port, hold);
    let force: () => void = () => {};
    const forced = new Promise<void>((r) => {
      force = r;
    });
    const done = shutdownGracefully(h.app, h.app.connectionGuard, 60_000, forced);
    setTimeout(force, 100);
    const report = await done;
    expect(report.cutAtDeadline).toBe(1);
    expect(report.ms).toBeLessThan(2_000);
    h.release();
  });
});
