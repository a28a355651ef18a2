/**
 * Structured JSON logs (pino through Fastify). One line per request, labelled with the
 * request id. Request headers and bodies are never logged (the caller's raw key travels
 * in a header); the query string is dropped from the logged URL, and a key pasted into its
 * path is cut to its display prefix.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino from 'pino';
import { API_KEY_HEADER_NAME } from './auth.js';

export interface LoggerDeps {
  level?: string;
  stream?: NodeJS.WritableStream;
}

export const REQUEST_ID_LOG_LABEL = 'requestId';

/** Anything shaped like a key (kind prefix, then base62) is cut to its 8-character display prefix. */
const KEY_LIKE = /(ck[opa]_[0-9A-Za-z]{4})[0-9A-Za-z]+/g;
/**
 * A key's body (22 random + 6 checksum base62 characters) without its prefix: a run of 20 or
 * more base62 characters mixing upper and lower case (a random body lacks one of them with a
 * probability of about 10⁻⁷; the API's paths are lower case).
 */
const BASE62_RUN = /[0-9A-Za-z]{20,}/g;

function cutSecretLike(run: string): string {
  return /[A-Z]/.test(run) && /[a-z]/.test(run) ? `${run.slice(0, 4)}…` : run;
}
const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;
/** Rounds of percent-decoding tried (a key encoded twice or thrice is still found). */
const DECODE_ROUNDS = 3;

/** Decode %XX escapes byte by byte (as Latin-1, never throwing on a malformed sequence). */
function decodeEscapes(text: string): string {
  return text.replace(PERCENT_ESCAPE, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/**
 * A request path as it may be logged: the path without its query string, percent-decoded (up
 * to three times, leniently) so that an encoded key (`/cko%5F…`, every character escaped, or
 * escaped twice) is seen as one, and with anything key-shaped cut to its display prefix —
 * as well as what looks like a key's body without its prefix (BASE62_RUN). A path
 * with nothing to cut is logged exactly as it came.
 */
export function pathOnly(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  let decoded = path;
  for (let round = 0; round < DECODE_ROUNDS; round++) {
    const next = decodeEscapes(decoded);
    if (next === decoded) break;
    decoded = next;
  }
  const redacted = decoded.replace(KEY_LIKE, '$1…').replace(BASE62_RUN, cutSecretLike);
  return redacted === decoded ? path : redacted;
}

/** Fastify `logger` options for pino. */
export function loggerOptions(deps: LoggerDeps | undefined): Record<string, unknown> {
  const options: Record<string, unknown> = {
    level: deps?.level ?? 'info',
    // Belt and braces: nothing below logs headers, but if anything ever does, the key is censored.
    redact: {
      paths: [
        `req.headers["${API_KEY_HEADER_NAME}"]`,
        `headers["${API_KEY_HEADER_NAME}"]`,
        'req.headers.authorization',
        'req.headers.cookie',
        'req.body',
        'body',
      ],
      censor: '[redacted]',
    },
    serializers: {
      req(req: { method?: string; url?: string; ip?: string; socket?: { remoteAddress?: string } }) {
        return { method: req.method, url: pathOnly(req.url), remoteAddress: req.ip ?? req.socket?.remoteAddress };
      },
      res(res: { statusCode?: number }) {
        return { statusCode: res.statusCode };
      },
    },
  };
  // Standard output is written asynchronously: lines that arrive while a write is in flight
  // go out together in the next one (one writev per request was a fifth of /verifyapikey's
  // time), a lone line still leaves at once, and pino flushes what is pending at exit.
  options.stream = deps?.stream ?? pino.destination({ dest: 1, sync: false });
  return options;
}

/** One log line per request (at completion), carrying method, path, status, error code and time. */
export class RequestLogController extends LogController {
  constructor() {
    super({ requestIdLogLabel: REQUEST_ID_LOG_LABEL });
  }

  override incomingRequest(): void {
    // Only the completion line is written.
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = {
      req: request,
      res: reply,
      responseTime: reply.elapsedTime,
      errorCode: request.state?.errorCode,
      callerKeyId: request.state?.caller?.key?.id,
      // A person signed in to the dashboard by code has no key: the line names the user.
      callerUserId: request.state?.caller?.key === null ? request.state.caller.user.id : undefined,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request completed');
  }

  override defaultErrorLog(): void {
    // The application's error handler logs what matters (5xx with their cause).
  }
}
