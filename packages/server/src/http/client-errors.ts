/**
 * Answers to requests Node's HTTP parser refuses before Fastify sees them — headers too large
 * (431), a request that did not arrive in time (408), malformed requests (obs-fold, NUL or
 * other bytes not allowed in a header, Content-Length together with Transfer-Encoding, a
 * request line that is not HTTP…: 400) — in the platform's envelope with a request id, like
 * every other answer, and logged with that id. The connection is closed after the answer:
 * after a parse error nothing more can be read from it safely.
 */
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ERROR_CODES, type ErrorCode } from '@codika/contract/errors';
import { REQUEST_ID_HEADER } from '@codika/contract/operations';
import type { FastifyBaseLogger } from 'fastify';
import { newId } from '../ids.js';
import { errorBody } from './envelope.js';

/** What a parser error code is answered with. */
export function clientErrorCode(code: string | undefined): { code: ErrorCode; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { code: 'HEADERS_TOO_LARGE', message: ERROR_CODES.HEADERS_TOO_LARGE.message };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { code: 'REQUEST_TIMEOUT', message: ERROR_CODES.REQUEST_TIMEOUT.message };
  return { code: 'VALIDATION_ERROR', message: 'Malformed HTTP request' };
}

/** The raw HTTP answer to a refused request: envelope, request id, Connection: close. */
export function clientErrorAnswer(requestId: string, error: { code?: string }): string {
  const { code, message } = clientErrorCode(error.code);
  return rawAnswer(requestId, code, message);
}

function rawAnswer(requestId: string, code: ErrorCode, message: string): string {
  const status = ERROR_CODES[code].status;
  const body = JSON.stringify(errorBody(requestId, code, message));
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    'Cache-Control: no-store',
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/** Fastify's `clientErrorHandler`: bound to the Fastify instance (for its logger). */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const requestId = newId();
  const { code } = clientErrorCode(error.code);
  this.log.info(
    { requestId, errorCode: code, parserError: error.code, remoteAddress: socket.remoteAddress },
    'request refused by the HTTP parser',
  );
  if (socket.writable) socket.end(clientErrorAnswer(requestId, error));
  socket.destroySoon();
}

/**
 * Two requests Node answers by itself, outside the envelope, unless the server listens for
 * them: an `Expect` other than 100-continue (Node: a bare 417) is served like any request
 * (RFC 9110 lets a server ignore an expectation it does not support), and CONNECT (Node: the
 * socket closed without a word) is answered 405 METHOD_NOT_ALLOWED in the envelope.
 */
export function installRawAnswers(server: Server, log: FastifyBaseLogger): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    server.emit('request', request, response);
  });
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    const requestId = newId();
    log.info({ requestId, errorCode: 'METHOD_NOT_ALLOWED', remoteAddress: socket.remoteAddress }, 'CONNECT refused');
    socket.end(rawAnswer(requestId, 'METHOD_NOT_ALLOWED', 'CONNECT is not served; every operation is a POST'));
  });
}
