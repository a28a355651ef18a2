/** The one response envelope of the platform API (docs/server.md, Transport). */
import type { ErrorEnvelope, SuccessEnvelope } from '@codika/contract/errors';

export function successBody<T>(requestId: string, data: T): SuccessEnvelope<T> {
  return { success: true, data, requestId };
}

export function errorBody(
  requestId: string,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): ErrorEnvelope & { requestId: string } {
  const error: ErrorEnvelope['error'] = details === undefined ? { code, message } : { code, message, details };
  return { success: false, error, requestId };
}
