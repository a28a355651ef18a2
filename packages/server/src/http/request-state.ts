/**
 * Per-request state shared by the hooks, the routes and the error handler.
 */
import type { ApiKeyRecord, AuditAction, Organization, Role, User } from '../store/types.js';

/** The authenticated caller: its key, the key's organization, the creating user and that user's role *now*. */
export interface Caller {
  key: ApiKeyRecord;
  organization: Organization;
  user: User;
  role: Role;
}

export interface RequestState {
  /** The clock read once when the request arrived; every check and write of the request uses it. */
  now: Date;
  caller: Caller | null;
  /** Set on routes whose every attempt is audited (create, update, revoke). */
  auditAction: AuditAction | null;
  /** True once an audit row for this attempt was written (by the store or by us). */
  audited: boolean;
  /** The error code answered, for the request's log line. */
  errorCode?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    state: RequestState;
  }
}
