/**
 * Typed CLI errors. Each carries the machine code printed in `--json` failure documents;
 * `exitCodeOf` is the one place where an error becomes an exit code.
 */
import type { ErrorEnvelope } from '@codika/contract/errors';

export abstract class CliError extends Error {
  abstract readonly code: string;
  /** Extra lines printed after the message in human output (never in JSON). */
  hints: string[] = [];
  requestId?: string;

  withHint(hint: string): this {
    this.hints.push(hint);
    return this;
  }
}

/** Bad or missing option, nothing to update, bad option value: detected before any request. */
export class ValidationError extends CliError {
  readonly code: string;
  constructor(message: string, code = 'VALIDATION_ERROR') {
    super(message);
    this.code = code;
  }
}

/** No API key could be resolved from flag, environment or profile. */
export class MissingApiKeyError extends ValidationError {
  constructor(message: string) {
    super(message, 'MISSING_API_KEY');
  }
}

/** The key has a wrong prefix, length or checksum: refused before any request. */
export class InvalidApiKeyError extends ValidationError {
  constructor(message: string) {
    super(message, 'INVALID_API_KEY');
  }
}

/** The config file cannot be read or written. */
export class ConfigError extends CliError {
  readonly code = 'CONFIG_ERROR';
}

/** The server answered with an error envelope. */
export class ApiError extends CliError {
  readonly code: string;
  /** Put the HTTP status in the `--json` failure document, as the public CLI's `auth` commands do. */
  statusInJson = false;
  constructor(
    readonly envelope: ErrorEnvelope,
    readonly status: number,
  ) {
    super(envelope.error.message);
    this.code = envelope.error.code;
    if (envelope.requestId) this.requestId = envelope.requestId;
  }

  /** What `--json` prints: the envelope as received (`{success, status, error, requestId}` with statusInJson). */
  jsonDocument(): unknown {
    if (!this.statusInJson) return this.envelope;
    const { success, error, ...rest } = this.envelope;
    return { success, status: this.status, error, ...rest };
  }
}

/** The server could not be reached (refused, DNS, TLS, timeout, reset). */
export class NetworkError extends CliError {
  readonly code = 'NETWORK_ERROR';
}

/** The server answered something that is not the API's JSON envelope (proxy page, 502, …). */
export class InvalidResponseError extends CliError {
  readonly code = 'INVALID_RESPONSE';
  /** The HTTP status of the answer, when there was one. */
  status?: number;
}

/** The user declined a confirmation or cancelled a prompt. */
export class CancelledError extends CliError {
  readonly code = 'CANCELLED';
}

/** The single mapping from errors to exit codes (see docs/cli/README.md). */
export function exitCodeOf(error: unknown): 1 | 2 {
  if (error instanceof ValidationError || error instanceof ConfigError) return 2;
  return 1;
}
