/** Advice added to API errors, shared by the commands that call the API. */
import { describeInvalidScopes } from '@codika/contract/scopes';
import { ApiError, InvalidResponseError } from './errors.js';
import { renderTable } from './spec.js';

/** The organizations a MULTIPLE_ORGANIZATIONS answer lists (`details.organizations`), well-formed ones only. */
export function organizationsOf(error: ApiError): { id: string; name: string }[] {
  const list = error.envelope.error.details?.organizations;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (o): o is { id: string; name: string } =>
      typeof o === 'object' && o !== null && typeof o.id === 'string' && typeof o.name === 'string',
  );
}

/** Hints a user can act on, added to the server's message (human output only). */
export function addApiHints(error: unknown): void {
  if (!(error instanceof ApiError)) return;
  switch (error.code) {
    case 'INVALID_SCOPES': {
      const invalid = error.envelope.error.details?.invalid;
      if (Array.isArray(invalid) && invalid.length > 0 && !/did you mean|\bvalid scopes:/i.test(error.message)) {
        error.withHint(describeInvalidScopes(invalid.map(String)));
      }
      break;
    }
    case 'UNAUTHENTICATED':
      error.withHint(
        'The API key is unknown, revoked or expired. Sign in again with `codika auth login --email <you>`, save a valid key with `codika login`, or pass --api-key.',
      );
      break;
    case 'INSUFFICIENT_SCOPE':
    case 'NOT_ORG_ADMIN':
      error.withHint(
        'Managing keys and members needs a key with the api-keys:manage scope, held by an admin or owner of the organization.',
      );
      break;
    case 'MULTIPLE_ORGANIZATIONS': {
      const orgs = organizationsOf(error);
      if (orgs.length > 0)
        error.withHint(['Available organizations:', ...renderTable(orgs.map((o) => [o.id, o.name]))].join('\n'));
      break;
    }
    case 'MEMBER_EXISTS':
      error.withHint('Change the role of a member with `codika organization members set-role`.');
      break;
    case 'MEMBER_NOT_FOUND':
      error.withHint('List the members with `codika organization members list`.');
      break;
    case 'KEY_NOT_FOUND':
      error.withHint('List the key ids with `codika organization list-keys`.');
      break;
    case 'SCOPE_ESCALATION': {
      const notHeld = error.envelope.error.details?.notHeld;
      if (Array.isArray(notHeld) && notHeld.length > 0) {
        error.withHint(
          `The key you are calling with does not hold ${notHeld.map(String).join(', ')}; a key grants only scopes it holds itself. Leave ${notHeld.length === 1 ? 'it' : 'them'} out, or call with a key that holds ${notHeld.length === 1 ? 'it' : 'them'}.`,
        );
      }
      break;
    }
    case 'SELF_LOCKOUT':
      // The server's message already says what would happen and to pass force; say the flag once.
      error.message = error.message.replace(/;\s*pass force to do it anyway\.?$/i, '');
      error.withHint('Pass --force to do it anyway; the key you are calling with can then no longer manage keys.');
      break;
  }
}

/**
 * `--api-url` is the full URL of the command's endpoint (as in the public CLI). When a full
 * --api-url answers 404 (a path that is no endpoint) or refuses the body (another operation's
 * endpoint), say so and name the URL this command expected.
 */
export function addApiUrlHint(error: unknown, apiUrl: string | undefined, usedUrl: string, operationPath: string): void {
  if (apiUrl === undefined || usedUrl !== apiUrl) return;
  const wrongPlace =
    (error instanceof ApiError && (error.code === 'NOT_FOUND' || error.code === 'VALIDATION_ERROR')) ||
    (error instanceof InvalidResponseError && error.status === 404);
  if (!wrongPlace) return;
  const given = new URL(apiUrl);
  if (given.pathname.replace(/\/+$/, '').endsWith(operationPath)) return; // the right endpoint (maybe under a prefix)
  const expected = `${given.origin}${operationPath}`;
  (error as ApiError | InvalidResponseError).withHint(
    `--api-url takes the full URL of this command's endpoint: expected ${expected} (got ${apiUrl}), or give the server's base URL (${given.origin}).`,
  );
}
