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
  nextAction?: string,
): ErrorEnvelope & { requestId: string } {
  const error: ErrorEnvelope['error'] = { code, message };
  if (nextAction !== undefined) error.nextAction = nextAction;
  if (details !== undefined) error.details = details;
  return { success: false, error, requestId };
}
