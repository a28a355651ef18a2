/**
 * What an audit row records: its action and its result. Zero dependencies: the dashboard
 * shows them, the server's store writes them.
 */
export const AUDIT_ACTIONS = [
  'key.create',
  'key.update',
  'key.revoke',
  // accounts
  'account.signup',
  'account.login',
  'account.code_failed',
  'organization.create',
  // members
  'member.add',
  'member.update',
  'member.remove',
  // key lifecycle
  'key.rotate',
  /** A request with a live key refused by the key's IP allowlist (or because the key is disabled). */
  'key.use_denied',
  'organization.settings_update',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** `dry_run`: an update previewed with dryRun, judged like a real one and applied nowhere. */
export const AUDIT_RESULTS = ['allowed', 'denied', 'dry_run'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** Events `/listauditeventspublic` answers when no limit is asked, and at most per page. */
export const AUDIT_EVENTS_LIMIT_DEFAULT = 100;
export const AUDIT_EVENTS_LIMIT_MAX = 500;
