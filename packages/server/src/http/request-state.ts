/**
 * Per-request state shared by the hooks, the routes and the error handler.
 */
import type { Scope } from '@codika/contract/scopes';
import type { ApiKeyRecord, AuditAction, Organization, Role, User } from '../store/types.js';

/**
 * The authenticated caller. With a key (header or a key's dashboard session): the key, its
 * organization, its creating user, that user's role *now*, and the key's scopes. A person
 * signed in to the dashboard by e-mailed code has no key (`key: null`, the marker of a user
 * session): the organization they chose, themselves, their role *now*, and the scopes that
 * role carries (scopesForRole in accounts/minting.ts, read at every request like the role itself).
 */
export type Caller = KeyCaller | UserCaller;

interface CallerBase {
  /** What the caller may do: its key's scopes, or the scopes of the person's current role. */
  scopes: readonly Scope[];
  organization: Organization;
  user: User;
  role: Role;
}

export interface KeyCaller extends CallerBase {
  key: ApiKeyRecord;
  /** Present when the key was presented with a rotation's previous secret (still in its grace period). */
  previousSecretExpiresAt?: string;
}

export interface UserCaller extends CallerBase {
  key: null;
}

export interface RequestState {
  /** The clock read once when the request arrived; every check and write of the request uses it. */
  now: Date;
  caller: Caller | null;
  /** Set on routes whose every attempt is audited (key and member changes, organization creation). */
  auditAction: AuditAction | null;
  /**
   * True once the attempt's row is written: its store write returned (operation.ts `audited`;
   * the store records every outcome it returns) or the error handler wrote it.
   */
  audited: boolean;
  /**
   * Which throttle answered 429 (for the metrics): the guess throttle, the per-key share, the
   * code requests, or the refused-attempt budget (denial-throttle.ts: counted, not audited).
   */
  throttledBy?: 'auth_failures' | 'key_concurrency' | 'code_requests' | 'denied_attempts';
  /** The error code answered, for the request's log line. */
  errorCode?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    state: RequestState;
  }
}
