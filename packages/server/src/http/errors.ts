/**
 * The typed error every layer above the store throws. The single error handler
 * (error-handler.ts) maps it to the status of its code and the failure envelope.
 */
import { ERROR_CODES, type ErrorCode } from '@codika/contract/errors';

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  /** A sentence for a person: what to do next (the CLIs print it under the error). */
  readonly nextAction: string | undefined;

  constructor(
    code: ErrorCode,
    options: { message?: string; details?: Record<string, unknown>; nextAction?: string; cause?: unknown } = {},
  ) {
    super(options.message ?? ERROR_CODES[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = options.details;
    this.nextAction = options.nextAction;
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError;
}
