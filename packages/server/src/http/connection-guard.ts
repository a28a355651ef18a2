/**
 * The connection cap, and who gives way when it is reached. Node's own `maxConnections`
 * refuses the *new* connection, so a few hundred clients that open a connection and then
 * stall (headers or body sent one byte at a time, or never) would lock everybody else out
 * until their timeouts fire. Here the new connection is kept and the connection that has
 * been waiting longest *without being owed an answer* is closed instead:
 *
 * - idle: no request on it (a fresh connection that has sent nothing, or a keep-alive
 *   connection between requests) — since it was opened or its last answer finished;
 * - incomplete: a request whose headers or body have not fully arrived — since it began.
 *
 * A connection whose request has fully arrived (the server owes it an answer) is never
 * closed by the cap; when every held connection is owed an answer, the new one is refused.
 * A real client sends its request in milliseconds, so it is never the stalest; a stalled
 * client is, and is the one to go. Closing a connection whose request had not fully arrived
 * is safe for the client to retry: nothing of that request was processed.
 *
 * The same states serve the graceful shutdown (shutdown.ts): idle and incomplete connections
 * are closed at once, those owed an answer get it first.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Held {
  /** When the connection opened, its current request began, or its last answer finished (ms). */
  since: number;
  /** The request being received or answered on this connection, if any. */
  request: IncomingMessage | null;
}

export interface ConnectionCounts {
  /** Connections held now. */
  open: number;
  /** Connections closed to make room for a new one. */
  evicted: number;
  /** New connections refused because every held one was owed an answer. */
  refused: number;
}

export class ConnectionGuard {
  private readonly held = new Map<Socket, Held>();
  private evicted = 0;
  private refused = 0;
  /** Set by a shutdown: every connection is closed once its answer is sent. */
  private drainingSince: number | null = null;

  constructor(
    private readonly maxConnections: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new RangeError('maxConnections must be ≥ 1');
  }

  /** Start tracking the connections of `server`. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.onRequest(request, response));
  }

  counts(): ConnectionCounts {
    return { open: this.held.size, evicted: this.evicted, refused: this.refused };
  }

  /** True when the server owes this connection nothing yet (no request, or one not fully received). */
  private owesNothing(entry: Held): boolean {
    return entry.request === null || !entry.request.complete;
  }

  private onConnection(socket: Socket): void {
    this.held.set(socket, { since: this.now(), request: null });
    socket.once('close', () => this.held.delete(socket));
    if (this.held.size <= this.maxConnections) return;
    let victim: Socket | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [other, entry] of this.held) {
      if (other === socket || !this.owesNothing(entry)) continue;
      if (entry.since < oldest) {
        oldest = entry.since;
        victim = other;
      }
    }
    if (victim === undefined) {
      this.refused++;
      this.held.delete(socket);
      socket.destroy();
      return;
    }
    this.evicted++;
    this.held.delete(victim);
    victim.destroy();
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const entry = this.held.get(request.socket);
    if (entry === undefined) return;
    entry.request = request;
    entry.since = this.now();
    const done = () => {
      if (entry.request !== request) return;
      entry.request = null;
      entry.since = this.now();
      if (this.draining) request.socket.end();
    };
    response.once('finish', done);
    response.once('close', done);
  }

  /** True once a shutdown began: answers say Connection: close and their connections end. */
  get draining(): boolean {
    return this.drainingSince !== null;
  }

  /**
   * Shutdown: close every connection the server owes nothing, and end the others once their
   * answer is sent. Returns how many were closed at once.
   */
  drain(): number {
    this.drainingSince ??= this.now();
    return this.closeIdleAndIncomplete();
  }

  /** Close every connection the server owes nothing; returns how many. */
  closeIdleAndIncomplete(): number {
    let closed = 0;
    for (const [socket, entry] of this.held) {
      if (!this.owesNothing(entry)) continue;
      this.held.delete(socket);
      socket.destroy();
      closed++;
    }
    return closed;
  }

  /** Connections the server still owes an answer. */
  owed(): number {
    let n = 0;
    for (const entry of this.held.values()) if (!this.owesNothing(entry)) n++;
    return n;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The connection cap of this app's server (buildApp installs it). */
    connectionGuard: ConnectionGuard;
  }
}
