/**
 * One POST to the platform API: `X-Process-Manager-Key` (when there is a key), JSON body,
 * timeout, and errors a user can act on (the URL and the cause, never a bare "fetch failed").
 */
import type { ErrorEnvelope, SuccessEnvelope } from '@codika/contract/errors';
import { API_KEY_HEADER, REQUEST_ID_HEADER } from '@codika/contract/operations';
import type { FetchFn } from './deps.js';
import { ApiError, InvalidResponseError, NetworkError } from './errors.js';

export interface ApiRequest {
  fetch: FetchFn;
  url: string;
  /** The caller's key; absent for the operations anyone may call (the e-mailed-code ones). */
  apiKey?: string;
  body: unknown;
  timeoutMs: number;
}

export interface ApiSuccess<T> {
  envelope: SuccessEnvelope<T>;
  status: number;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

const TLS_CODES = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|ERR_CERT|HOSTNAME_MISMATCH|EPROTO)/;

/** A human cause for a failed fetch: "connection refused", "timed out after 30 s", "TLS error: …". */
export function describeFetchFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: unknown; code?: string };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${seconds(timeoutMs)}`;
  // undici wraps the system error: TypeError('fetch failed', { cause }) — sometimes twice.
  type SysError = { code?: string; message?: string; hostname?: string; cause?: unknown; errors?: unknown[] };
  let cause = e?.cause as SysError | undefined;
  if (cause && typeof cause === 'object' && Array.isArray(cause.errors) && cause.errors.length > 0 && !cause.code) {
    cause = cause.errors[0] as SysError; // AggregateError from happy-eyeballs: report the first attempt
  }
  if (cause?.cause && !cause.code) cause = cause.cause as SysError;
  const code = cause?.code ?? e?.code;
  const detail = (cause?.message ?? e?.message ?? String(error)).trim();
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return `DNS lookup failed: host ${cause?.hostname ? `"${cause.hostname}" ` : ''}not found`;
    case 'EAI_AGAIN':
      return 'DNS lookup failed (temporary failure in name resolution)';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset by the server';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      if ((code && TLS_CODES.test(code)) || /certificate|ssl|tls/i.test(detail)) {
        // OpenSSL's "…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/…" → the reason
        const reason = /SSL routines:[^:]*:([^:]+)/.exec(detail)?.[1] ?? detail;
        const hint = /wrong version number|packet length too long/.test(reason) ? ' (is this an http:// server?)' : '';
        return `TLS error: ${reason}${hint}`;
      }
      return code ? `${detail} (${code})` : detail;
  }
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { success?: unknown; error?: { code?: unknown; message?: unknown } };
  return v.success === false && typeof v.error?.code === 'string' && typeof v.error?.message === 'string';
}

function isSuccessEnvelope<T>(value: unknown): value is SuccessEnvelope<T> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { success?: unknown; data?: unknown };
  return v.success === true && typeof v.data === 'object' && v.data !== null;
}

/** POSTs `body` and returns the success envelope; throws ApiError / NetworkError / InvalidResponseError. */
export async function callApi<T>(req: ApiRequest): Promise<ApiSuccess<T>> {
  let response: Response;
  let text: string;
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    response = await req.fetch(req.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(req.apiKey === undefined ? {} : { [API_KEY_HEADER]: req.apiKey }),
      },
      body: JSON.stringify(req.body ?? {}),
      signal,
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    const cause = signal.aborted ? `timed out after ${seconds(req.timeoutMs)}` : describeFetchFailure(error, req.timeoutMs);
    throw new NetworkError(`Cannot reach ${req.url}: ${cause}.`).withHint(
      "Check the server URL (--api-url, CODIKA_BASE_URL or the profile's baseUrl) and that the server is running.",
    );
  }

  const requestId = response.headers.get(REQUEST_ID_HEADER) ?? undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }

  if (isErrorEnvelope(parsed)) {
    if (!parsed.requestId && requestId) parsed.requestId = requestId;
    const err = new ApiError(parsed, response.status);
    if (response.status >= 500) {
      err.message = `${parsed.error.message} (HTTP ${response.status}${err.requestId ? `, request id ${err.requestId}` : ''})`;
    }
    throw err;
  }
  if (response.ok && isSuccessEnvelope<T>(parsed)) {
    return { envelope: parsed, status: response.status };
  }

  const statusText = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const what = parsed === undefined ? 'a non-JSON answer' : 'JSON that is not a codika API envelope';
  const err = new InvalidResponseError(
    `Unexpected answer from ${req.url}: ${statusText}, ${what}${requestId ? ` (request id ${requestId})` : ''}.`,
  ).withHint('Is this URL a codika server? Check --api-url / CODIKA_BASE_URL.');
  err.status = response.status;
  if (requestId) err.requestId = requestId;
  throw err;
}
