/**
 * Limits of the HTTP transport: how long a client may take to send a request, how long an
 * idle keep-alive connection is kept, how many connections are held at once. A client that
 * opens a connection and then sends its headers or body slowly (or never) must not hold a
 * socket for long nor starve other clients (see connection-guard.ts for the cap).
 *
 * Node's HTTP server enforces the timeouts: `headersTimeout` (headers complete) and
 * `requestTimeout` (the whole request, body included) are checked every
 * `connectionsCheckingInterval`, and an expired request is answered 408 through the server's
 * 'clientError' event (client-errors.ts puts it in the envelope) and its socket closed.
 */
import type { ServerOptions } from 'node:http';

export interface TransportLimits {
  /** The whole request, headers and body, must arrive within this (ms). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** Connections held at once; past it, a new connection replaces the stalest idle or incomplete one. */
  maxConnections: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
};

/** Headers must be complete within this (ms), or within requestTimeoutMs when that is shorter. */
export const HEADERS_TIMEOUT_MS = 5_000;
/** A socket with no traffic at all for this long is closed (a client that stops reading its answer). */
export const SOCKET_IDLE_TIMEOUT_MS = 60_000;
/** How often Node checks the headers and request timeouts of open connections. */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;
/** Largest request header section (Node's default): past it, 431 in the envelope. */
export const MAX_HEADER_BYTES = 16 * 1024;

export function checkTransportLimits(limits: TransportLimits): void {
  const { requestTimeoutMs, keepAliveTimeoutMs, maxConnections } = limits;
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 1) throw new RangeError('requestTimeoutMs must be ≥ 1');
  if (!Number.isInteger(keepAliveTimeoutMs) || keepAliveTimeoutMs < 1) throw new RangeError('keepAliveTimeoutMs must be ≥ 1');
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new RangeError('maxConnections must be ≥ 1');
}

/** The Fastify options that carry the limits to Node's HTTP server. */
export function transportOptions(limits: TransportLimits) {
  checkTransportLimits(limits);
  const http: ServerOptions = {
    headersTimeout: Math.min(HEADERS_TIMEOUT_MS, limits.requestTimeoutMs),
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    maxHeaderSize: MAX_HEADER_BYTES,
    // A request without Host is answered by the app (400 in the envelope), not by Node's bare 400.
    requireHostHeader: false,
  };
  return {
    http,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: SOCKET_IDLE_TIMEOUT_MS,
    // While closing, a request that still arrives on an open connection is served (with
    // Connection: close) rather than answered by Fastify's bare 503.
    return503OnClosing: false,
  };
}
