/** Store steps the operator subcommands share: look-ups that fail as UsageError, key issuing. */
import { DEFAULT_MAX_KEYS_PER_ORG } from '@codika/contract/operations';
import { canonicalScopes, type Scope } from '@codika/contract/scopes';
import { type Clock, iso } from '../clock.js';
import { newId } from '../ids.js';
import { mintOrgKey } from '../secrets.js';
import type { ApiKeyRecord, MemberAuditOrigin, Membership, Organization, Store, User } from '../store/types.js';
import { UsageError } from './command-deps.js';

/** Recorded as the user agent of audit rows the operator CLI writes. */
export const OPERATOR_AGENT = 'codika-server (operator CLI)';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Who/where/when of an operator's change, for the audit rows the store writes. */
export function operatorAuditOrigin(clock: Clock): MemberAuditOrigin {
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
  const createdAt = iso(now);
  const minted = mintOrgKey();
  const id = newId();
  const scopes = canonicalScopes(params.scopes);
  const maxLiveKeys = params.maxLiveKeys ?? DEFAULT_MAX_KEYS_PER_ORG;
  const outcome = await store.createKey(
    {
      id,
      organizationId: params.organizationId,
      createdByUserId: params.userId,
      name: params.name,
      description: params.description,
      scopes,
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt,
      expiresAt: params.expiresInDays === null ? null : iso(new Date(now.getTime() + params.expiresInDays * DAY_MS)),
    },
    maxLiveKeys,
    {
      at: createdAt,
      requestId: newId(),
      action: 'key.create',
      result: 'allowed',
      reason: null,
      actorKeyId: null,
      actorUserId: null,
      organizationId: params.organizationId,
      targetKeyId: id,
      before: null,
      after: { name: params.name, description: params.description, scopes },
      sourceIp: null,
      userAgent: OPERATOR_AGENT,
    },
  );
  if (outcome.status === 'limit_reached') {
    throw new UsageError(`the organization already has its maximum of ${outcome.limit} live API keys; revoke one first`);
  }
  return { key: outcome.key, apiKey: minted.rawKey };
}
