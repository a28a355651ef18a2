/** HTTP at the socket level: stalled clients, malformed requests, answers read byte for byte. */
import { connect, type Socket } from 'node:net';

export interface RawClient {
  socket: Socket;
  /** Everything received so far. */
  received(): string;
  closed(): boolean;
  /** How long the connection stayed open (ms), up to now if it still is. */
  heldMs(): number;
  /** Resolves when the connection is closed (either side). */
  whenClosed: Promise<void>;
}

/** Open a connection to 127.0.0.1:port and write `send` (if any) once connected. */
export async function openRaw(port: number, send = ''): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  const openedAt = performance.now();
  let closedAt = 0;
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => {
    received += d;
  });
  socket.on('error', () => {});
  const whenClosed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      closed = true;
      closedAt = performance.now();
      resolve();
    });
  });
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => resolve());
  });
  if (send && !closed) socket.write(Buffer.from(send, 'latin1'));
  return {
    socket,
    received: () => received,
    closed: () => closed,
    heldMs: () => (closed ? closedAt : performance.now()) - openedAt,
    whenClosed,
  };
}

/** Send raw bytes and return what came back once the server closed or `ms` passed. */
export async function exchangeRaw(port: number, send: string, ms = 2_000): Promise<string> {
  const client = await openRaw(port, send);
  await Promise.race([client.whenClosed, new Promise((r) => setTimeout(r, ms))]);
  client.socket.destroy();
  return client.received();
}

export interface ParsedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The first HTTP answer in `text` (Content-Length or chunked body), or undefined. */
export function parseAnswer(text: string): ParsedAnswer | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(end + 4);
  if (headers['transfer-encoding']?.includes('chunked')) {
    let out = '';
    let rest = body;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd === -1) break;
      const size = Number.parseInt(rest.slice(0, lineEnd), 16);
      if (!Number.isFinite(size) || size === 0) break;
      out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
    body = out;
  } else if (headers['content-length'] !== undefined) {
    body = body.slice(0, Number(headers['content-length']));
  }
  return { status: Number(m[1]), headers, body };
}

/**
 * Whether an answer is in the platform's failure envelope with a request id that matches its
 * X-Request-Id header: `{success: false, error: {code, message}, requestId}`.
 */
export function isEnvelopedError(answer: ParsedAnswer | undefined): boolean {
  if (answer === undefined) return false;
  try {
    const body = JSON.parse(answer.body) as {
      success?: unknown;
      error?: { code?: unknown; message?: unknown };
      requestId?: unknown;
    };
    return (
      body.success === false &&
      typeof body.error?.code === 'string' &&
      typeof body.error.message === 'string' &&
      typeof body.requestId === 'string' &&
      body.requestId.length > 0 &&
      answer.headers['x-request-id'] === body.requestId
    );
  } catch {
    return false;
  }
}
