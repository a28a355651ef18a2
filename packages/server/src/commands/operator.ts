/** Store steps the operator subcommands share: look-ups that fail as UsageError, key issuing. */
import { DEFAULT_MAX_KEYS_PER_ORG } from '@codika/contract/operations';
import type { Scope } from '@codika/contract/scopes';
import { type Clock, iso } from '../clock.js';
import { newId } from '../ids.js';
import { newKey } from '../new-key.js';
import type { ApiKeyRecord, AuditOrigin, Membership, Organization, Store, User } from '../store/types.js';
import { UsageError } from './command-deps.js';

/** Recorded as the user agent of audit rows the operator CLI writes. */
export const OPERATOR_AGENT = 'codika-server (operator CLI)';

/** Who/where/when of an operator's change, for the audit rows the store writes. */
export function operatorAuditOrigin(clock: Clock): AuditOrigin {
  return {
    at: iso(clock()),
    requestId: newId(),
    actorKeyId: null,
    actorUserId: null,
    sourceIp: null,
    userAgent: OPERATOR_AGENT,
  };
}

/** The refusal of a change that would leave an organization without an owner, and the way out. */
export function lastOwnerError(email: string, organization: Organization, action: 'demote' | 'remove'): UsageError {
  return new UsageError(
    `${email} is the only owner of "${organization.name}" (${organization.id}); refusing to ${action} them, ` +
      'which would leave the organization without an owner. Make another member owner first ' +
      `(codika-server users set-role --organization-id ${organization.id} --email <someone> --role owner), ` +
      `or, to repair a broken organization, pass --force to ${action} them anyway`,
  );
}

/** What the operator is told after --force took the owner role from the last owner. */
export function noOwnerWarning(organization: Organization): string {
  return (
    `! --force: "${organization.name}" has no owner now. Make someone owner with: ` +
    `codika-server users set-role --organization-id ${organization.id} --email <email> --role owner\n`
  );
}

export async function requireOrganization(store: Store, organizationId: string): Promise<Organization> {
  const org = await store.getOrganization(organizationId);
  if (!org) throw new UsageError(`no organization with id "${organizationId}"`);
  return org;
}

export async function requireMember(
  store: Store,
  organization: Organization,
  email: string,
): Promise<{ user: User; membership: Membership }> {
  const user = await store.getUserByEmail(email);
  const membership = user ? await store.getMembership(organization.id, user.id) : undefined;
  if (!user || !membership) throw new UsageError(`${email} is not a member of "${organization.name}" (${organization.id})`);
  return { user, membership };
}

export interface IssuedKey {
  key: ApiKeyRecord;
  apiKey: string;
}

/** Issue a key for a user as the operator (no actor key), refusing past the live-key limit. */
export async function issueOperatorKey(
  store: Store,
  clock: Clock,
  params: {
    organizationId: string;
    userId: string;
    name: string;
    description: string;
    scopes: Scope[];
    expiresInDays: number | null;
    maxLiveKeys?: number;
  },
): Promise<IssuedKey> {
  const now = clock();
  const { input, rawKey } = newKey(params, now);
  const outcome = await store.createKey(
    { ...input, organizationId: params.organizationId, createdByUserId: params.userId, scopes: params.scopes },
    params.maxLiveKeys ?? DEFAULT_MAX_KEYS_PER_ORG,
    operatorAuditOrigin(() => now),
  );
  if (outcome.status === 'limit_reached') {
    throw new UsageError(`the organization already has its maximum of ${outcome.limit} live API keys; revoke one first`);
  }
  return { key: outcome.key, apiKey: rawKey };
}
