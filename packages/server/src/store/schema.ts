/** The database schema as Kysely sees it (snake_case columns; see migrations/). */
import type { Generated } from 'kysely';
import type { AuditAction, AuditResult, Role } from './types.js';

export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: string;
  /** 0005: what the organization's creator said about it ('' when nothing). */
  description: Generated<string>;
  /** 0005: one of ORGANIZATION_SIZES, or null. */
  size: string | null;
  /** 0007: null = no maximum key lifetime. */
  max_key_lifetime_days: number | null;
}

export interface UsersTable {
  id: string;
  email: string;
  created_at: string;
  /** 0005 */
  last_sign_in_at: string | null;
}

export interface MembershipsTable {
  organization_id: string;
  user_id: string;
  role: Role;
  /** 0005; null only if written without it. */
  joined_at: string | null;
}

/** E-mailed one-time codes (0005): one row per address, only the code's hash. */
export interface LoginCodesTable {
  email: string;
  purpose: 'signup' | 'login';
  code_hash: string;
  created_at: string;
  expires_at: string;
  attempts: Generated<number>;
}

export interface ApiKeysTable {
  id: string;
  organization_id: string;
  created_by_user_id: string;
  name: string;
  description: Generated<string>;
  prefix: string;
  hash: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  /** 0008: the client address of the last recorded use. */
  last_used_ip: Generated<string | null>;
  /** 0007: a rotation's old secret (SHA-256), accepted until previous_hash_expires_at. */
  previous_hash: string | null;
  previous_hash_expires_at: string | null;
  /** 0007: null = enabled. */
  disabled_at: string | null;
  /** 0007: null = anywhere; else a JSON array of canonical CIDR strings. */
  allowed_ips: string | null;
}

export interface ApiKeyScopesTable {
  key_id: string;
  scope: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  request_id: string;
  action: AuditAction;
  result: AuditResult;
  reason: string | null;
  actor_key_id: string | null;
  actor_user_id: string | null;
  /** Null for an account event that concerns no organization (0005). */
  organization_id: string | null;
  target_key_id: string | null;
  /** The person a member change or sign-in is about (0005). */
  target_user_id: string | null;
  before_json: string | null;
  after_json: string | null;
  source_ip: string | null;
  user_agent: string | null;
}

/**
 * Dashboard sessions (0002): only the SHA-256 of the opaque id is stored. A session acts as a
 * key (`key_id`) or, since 0006, as a person (`user_id`) in one organization (`organization_id`,
 * null until chosen).
 */
export interface SessionsTable {
  id_hash: string;
  key_id: string | null;
  user_id: string | null;
  organization_id: string | null;
  created_at: string;
  expires_at: string;
}

/** 0008: the retention gate; a row exists only inside the operator's purge transaction. */
export interface AuditPurgeTable {
  before: string;
}

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  memberships: MembershipsTable;
  api_keys: ApiKeysTable;
  api_key_scopes: ApiKeyScopesTable;
  audit_log: AuditLogTable;
  sessions: SessionsTable;
  login_codes: LoginCodesTable;
  audit_purge: AuditPurgeTable;
}
