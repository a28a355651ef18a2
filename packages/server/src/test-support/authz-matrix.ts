/**
 * The shared authorization matrix, run against every key route:
 *   caller (no key, malformed key, bad checksum, unknown, revoked, expired, lacking
 *   api-keys:manage, member, admin, owner, key of another organization; and dashboard
 *   sessions of people signed in by code: owner, admin, member, and one that has not chosen
 *   its organization yet)
 *   × target (same organization, other organization, revoked key, never existed)
 * with the expected status and code of each cell. Every cell runs on a fresh database;
 * a denied cell (and any cell of a read-only route) must leave the keys untouched, and
 * an audited route writes exactly one audit row per authenticated attempt.
 *
 * Public routes (`auth: 'none'`, the e-mailed-code operations) run the same caller axis: a key
 * header, valid or not, must change nothing — every caller gets the route's one answer.
 */
import { OPERATIONS, type OperationName } from '@codika/contract';
import type { ErrorCode } from '@codika/contract/errors';
import { expect, it } from 'vitest';
import { type RouteCallers, USER_SESSION_OPERATIONS } from '../http/operation.js';
import { newId } from '../ids.js';
import {
  badChecksumKey,
  type CallOptions,
  createTestApp,
  snapshotKeys,
  type TestApp,
  type TestAppOptions,
  unknownKey,
} from './http.js';
import { openUserSession, withSession } from './sessions.js';

export const CALLERS = [
  'no key',
  'malformed key',
  'bad checksum',
  'unknown key',
  'revoked key',
  'expired key',
  'lacking api-keys:manage',
  'member',
  'admin',
  'owner',
  'other organization',
] as const;
export type KeyCallerKind = (typeof CALLERS)[number];

/** Dashboard sessions of people of the first organization, signed in by e-mailed code. */
export const USER_SESSION_CALLERS = [
  'owner by code',
  'admin by code',
  'member by code',
  'by code, no organization chosen',
] as const;
export type UserSessionCallerKind = (typeof USER_SESSION_CALLERS)[number];

export type CallerKind = KeyCallerKind | UserSessionCallerKind;

function isUserSessionCaller(caller: CallerKind): caller is UserSessionCallerKind {
  return (USER_SESSION_CALLERS as readonly string[]).includes(caller);
}

export const TARGETS = ['same organization', 'other organization', 'revoked', 'never existed'] as const;
export type TargetKind = (typeof TARGETS)[number];

export interface MatrixRoute {
  path: string;
  /** What the target axis is: a key id, an organization id, or nothing (the caller axis only). */
  target: 'key' | 'organization' | 'none';
  /** The scope the route requires (null: any valid key). */
  scope: 'api-keys:manage' | null;
  /** Create, update, revoke: one audit row per authenticated attempt. */
  audited: boolean;
  /** An allowed call changes keys (so the untouched check applies to denied cells only). */
  mutates: boolean;
  /** The request body for a resolved target (`keyId` or `organizationId`); may prepare state first. */
  body(target: { keyId: string; organizationId: string }, t: TestApp): unknown;
  /**
   * Who the route takes (http/operation.ts): by default, for an operation of the contract,
   * what USER_SESSION_OPERATIONS says; for any other route, API keys only.
   */
  callers?: RouteCallers;
  /** The key target counts only when the caller's user created it (the dashboard's my-keys). */
  ownKeysOnly?: boolean;
  /** 'none': a public route; every caller gets `publicAnswer`. Default 'key'. */
  auth?: 'key' | 'none';
  publicAnswer?: Expected;
  /** Audit rows an allowed attempt writes (default 1). */
  auditRows?: number;
  /** Options of each cell's app (e.g. an open sign-up policy). */
  app?: TestAppOptions;
}

export interface Expected {
  status: number;
  code?: ErrorCode;
}

const UNAUTHENTICATED: ReadonlySet<CallerKind> = new Set([
  'no key',
  'malformed key',
  'bad checksum',
  'unknown key',
  'revoked key',
  'expired key',
]);

/** The user behind a person's session caller, and the organization it has chosen (null: none yet). */
function userSessionOf(t: TestApp, caller: UserSessionCallerKind): { userId: string; organizationId: string | null } {
  switch (caller) {
    case 'owner by code':
      return { userId: t.users.owner.id, organizationId: t.orgA.id };
    case 'admin by code':
      return { userId: t.users.admin.id, organizationId: t.orgA.id };
    case 'member by code':
      return { userId: t.users.member.id, organizationId: t.orgA.id };
    case 'by code, no organization chosen':
      return { userId: t.users.owner.id, organizationId: null };
  }
}

/** The request options that present a caller: its key, or a person's session cookie with the CSRF header. */
export async function callerOptions(t: TestApp, caller: CallerKind): Promise<CallOptions> {
  if (!isUserSessionCaller(caller)) return { key: callerKey(t, caller) };
  const { userId, organizationId } = userSessionOf(t, caller);
  return withSession(await openUserSession(t, userId, organizationId));
}

export function callerKey(t: TestApp, caller: KeyCallerKind): string | null {
  switch (caller) {
    case 'no key':
      return null;
    case 'malformed key':
      return 'not-a-codika-key';
    case 'bad checksum':
      return badChecksumKey(t.keys.owner.raw);
    case 'unknown key':
      return unknownKey();
    case 'revoked key':
      return t.keys.revoked.raw;
    case 'expired key':
      return t.keys.expired.raw;
    case 'lacking api-keys:manage':
      return t.keys.lacking.raw;
    case 'member':
      return t.keys.member.raw;
    case 'admin':
      return t.keys.admin.raw;
    case 'owner':
      return t.keys.owner.raw;
    case 'other organization':
      return t.keys.other.raw;
  }
}

export function resolveTarget(t: TestApp, target: TargetKind): { keyId: string; organizationId: string } {
  switch (target) {
    case 'same organization':
      return { keyId: t.keys.target.id, organizationId: t.orgA.id };
    case 'other organization':
      return { keyId: t.keys.otherTarget.id, organizationId: t.orgB.id };
    case 'revoked':
      return { keyId: t.keys.revoked.id, organizationId: t.orgA.id };
    case 'never existed':
      return { keyId: newId(), organizationId: newId() };
  }
}

/** The targets that make sense for a route: an organization cannot be "revoked"; verify has none. */
export function targetsOf(route: MatrixRoute): readonly TargetKind[] {
  if (route.target === 'none') return ['same organization'];
  if (route.target === 'organization') return TARGETS.filter((x) => x !== 'revoked');
  return TARGETS;
}

export function callersOf(route: MatrixRoute): RouteCallers {
  if (route.callers !== undefined) return route.callers;
  const operation = (Object.keys(OPERATIONS) as OperationName[]).find((name) => OPERATIONS[name].path === route.path);
  return operation !== undefined && USER_SESSION_OPERATIONS.has(operation) ? 'key-or-user' : 'key';
}

export function expectedCell(route: MatrixRoute, caller: CallerKind, target: TargetKind): Expected {
  if (route.auth === 'none') return route.publicAnswer ?? { status: 200 };
  if (UNAUTHENTICATED.has(caller as KeyCallerKind) || caller === 'by code, no organization chosen') {
    return { status: 401, code: 'UNAUTHENTICATED' };
  }
  const callers = callersOf(route);
  const person = isUserSessionCaller(caller);
  if (person && callers === 'key') return { status: 403, code: 'API_KEY_REQUIRED' };
  if (!person && callers === 'user') return { status: 403, code: 'USER_SESSION_REQUIRED' };
  if (route.scope !== null) {
    // A member signed in by code holds every scope but api-keys:manage (the scopes of the role).
    if (caller === 'lacking api-keys:manage' || caller === 'member by code') return { status: 403, code: 'INSUFFICIENT_SCOPE' };
    if (caller === 'member') return { status: 403, code: 'NOT_ORG_ADMIN' };
  }
  if (route.target === 'none') return { status: 200 };
  // The target is reachable only when it lives in the caller key's own organization (and, for
  // own-keys routes, was created by the caller's user: the target is the owner's).
  const own = caller === 'other organization' ? 'other organization' : 'same organization';
  const reachable = target === own && (!route.ownKeysOnly || caller === 'owner by code');
  if (reachable) return { status: 200 };
  return route.target === 'key' ? { status: 404, code: 'KEY_NOT_FOUND' } : { status: 404, code: 'ORGANIZATION_NOT_FOUND' };
}

/** Defines one test per cell (call inside a describe). */
export function runAuthzMatrix(route: MatrixRoute): void {
  const cells: [CallerKind, TargetKind, Expected][] = [];
  for (const caller of [...CALLERS, ...USER_SESSION_CALLERS]) {
    for (const target of targetsOf(route)) cells.push([caller, target, expectedCell(route, caller, target)]);
  }

  it.each(cells)('%s × %s → %j', async (caller, target, expected) => {
    const t = await createTestApp(route.app);
    try {
      const body = await route.body(resolveTarget(t, target), t);
      const options = await callerOptions(t, caller);
      const before = await snapshotKeys(t);
      const auditBefore = (await t.audit()).length;
      const res = await t.call(route.path, body, options);

      expect(res.status).toBe(expected.status);
      expect(res.body.success).toBe(expected.status === 200);
      if (expected.code !== undefined) expect(res.body.error.code).toBe(expected.code);
      expect(res.headers['x-request-id']).toBe(res.body.requestId);

      if (expected.status !== 200 || !route.mutates) {
        expect(await snapshotKeys(t)).toEqual(before);
      }
      const written = (await t.audit()).length - auditBefore;
      const authenticated = route.auth === 'none' || expected.status !== 401;
      expect(written).toBe(route.audited && authenticated ? (route.auditRows ?? 1) : 0);
    } finally {
      await t.close();
    }
  });
}
