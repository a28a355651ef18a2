/**
 * Who may sign up (and create organizations through /createorganizationviaapikey):
 * `closed` (the default: only people an admin or the operator added sign in), `open` (anyone),
 * or open to addresses of listed domains only (`--signup-domains example.com,…`: the part after
 * the last `@`, compared exactly and case-insensitively; subdomains are not included).
 */

export type SignupPolicy = { mode: 'closed' } | { mode: 'open'; domains: readonly string[] | null };

export const CLOSED_SIGNUP: SignupPolicy = { mode: 'closed' };
export const OPEN_SIGNUP: SignupPolicy = { mode: 'open', domains: null };

export function signupAllowed(policy: SignupPolicy, email: string): boolean {
  if (policy.mode === 'closed') return false;
  if (policy.domains === null) return true;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return policy.domains.includes(domain);
}

export function describeSignupPolicy(policy: SignupPolicy): string {
  if (policy.mode === 'closed') return 'closed (only people added by an admin or the operator sign in)';
  if (policy.domains === null) return 'open to anyone';
  return `open to addresses at ${policy.domains.join(', ')}`;
}

/** The next step of a person refused by the policy. */
export const SIGNUP_DISABLED_NEXT_ACTION =
  'Ask an admin of your organization to add you, then sign in with: codika auth login-request --email <your address>';
