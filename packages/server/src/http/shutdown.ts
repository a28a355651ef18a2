/**
 * Graceful shutdown with a deadline:
 * 1. stop accepting connections (the listening socket is closed);
 * 2. close at once every connection the server owes nothing — idle keep-alive connections,
 *    and connections whose request has not fully arrived (a stalled upload holds nothing up;
 *    its client may safely retry, nothing of that request was processed);
 * 3. let every request that has fully arrived finish and be answered (with Connection: close);
 * 4. at the deadline, close whatever is still open.
 * Resolves once the server is closed; never later than the deadline plus the time the
 * closing sockets take to go.
 */
import type { FastifyInstance } from 'fastify';
import type { ConnectionGuard } from './connection-guard.js';

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

export interface ShutdownReport {
  /** Connections closed at once (idle, or their request incomplete). */
  closedAtOnce: number;
  /** Connections still open at the deadline, closed without their answer. */
  cutAtDeadline: number;
  ms: number;
}

export async function shutdownGracefully(
  app: FastifyInstance,
  guard: ConnectionGuard,
  deadlineMs: number,
  forceNow?: Promise<unknown>,
): Promise<ShutdownReport> {
  const started = performance.now();
  const closing = app.close();
  const closedAtOnce = guard.drain();
  let cutAtDeadline = 0;
  let timer: NodeJS.Timeout | undefined;
  const cut = () => {
    cutAtDeadline = guard.owed();
    app.server.closeAllConnections();
  };
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      cut();
      resolve();
    }, deadlineMs);
  });
  void forceNow?.then(() => {
    clearTimeout(timer);
    cut();
  });
  try {
    await Promise.race([closing, deadline.then(() => closing)]);
  } finally {
    clearTimeout(timer);
  }
  return { closedAtOnce, cutAtDeadline, ms: Math.round(performance.now() - started) };
}
