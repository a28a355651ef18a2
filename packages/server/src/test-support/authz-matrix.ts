/**
 * The shared authorization matrix, run against every key and member route:
 *   caller (no key, malformed key, bad checksum, unknown, revoked, expired, lacking
 *   api-keys:manage, member, admin, owner, key of another organization; and dashboard
 *   sessions of people signed in by code: owner, admin, member, and one that has not chosen
 *   its organization yet)
 *   × target (same organization, other organization, revoked key or former member, never existed)
 * with the expected status and code of each cell. Every cell runs on a fresh database;
 * a denied cell (and any cell of a read-only route) must leave the keys and the members
 * untouched, and an audited route writes exactly one audit row per authenticated attempt.
 *
 * Public routes (`auth: 'none'`, the e-mailed-code operations) run the same caller axis: a key
 * header, valid or not, must change nothing — every caller gets the route's one answer.
 *
 * Beside it, the role grid (runRoleGrid): owner, admin and member callers against owner,
 * admin and member targets — people (member routes) and the keys each made (key routes).
 */
import { OPERATIONS, type OperationName } from '@codika/contract';
import type { ErrorCode } from '@codika/contract/errors';
import { ROLES, type Role } from '@codika/contract/operations';
import { expect, it } from 'vitest';
import { type RouteCallers, USER_SESSION_OPERATIONS } from '../http/operation.js';
import { newId } from '../ids.js';
import type { AuditAction } from '../store/types.js';
import {
  badChecksumKey,
  type CallOptions,
  createTestApp,
  type SeededKey,
  seedKey,
  seedUser,
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
  /** What the target axis is: a key id, an organization id, a member, or nothing (the caller axis only). */
  target: 'key' | 'organization' | 'member' | 'none';
  /** The scope the route requires (null: any valid key). */
  scope: 'api-keys:manage' | null;
  /** Create, update, revoke, member changes: one audit row per authenticated attempt. */
  audited: boolean;
  /**
   * The action of the attempt's own row, when an allowed call writes more rows than that one
   * (a removal also writes a `key.revoke` row per key it revokes): only rows of this action count.
   */
  auditAction?: AuditAction;
  /** An allowed call changes keys or members (so the untouched check applies to denied cells only). */
  mutates: boolean;
  /** The request body for a resolved target (`keyId`, `organizationId`, or the member's `userId` / `email`); may prepare state first. */
  body(target: ResolvedTarget, t: TestApp): unknown;
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
  /** Audit rows of the attempt's own action an allowed attempt writes (default 1). */
  auditRows?: number;
  /** Options of each cell's app (e.g. an open sign-up policy). */
  app?: TestAppOptions;
  /** Only an owner may call it (organization settings): an admin gets 403 NOT_ORG_OWNER. */
  ownerOnly?: boolean;
}

export interface ResolvedTarget {
  keyId: string;
  organizationId: string;
  userId: string;
  email: string;
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

/** The target of each kind: for member routes, "revoked" is a former member of the caller's organization. */
export function resolveTarget(t: TestApp, target: TargetKind): ResolvedTarget {
  const person = (user: { id: string; email: string }) => ({ userId: user.id, email: user.email });
  switch (target) {
    case 'same organization':
      return { keyId: t.keys.target.id, organizationId: t.orgA.id, ...person(t.users.member) };
    case 'other organization':
      return { keyId: t.keys.otherTarget.id, organizationId: t.orgB.id, ...person(t.users.otherMember) };
    case 'revoked':
      return { keyId: t.keys.revoked.id, organizationId: t.orgA.id, ...person(t.users.former) };
    case 'never existed':
      return { keyId: newId(), organizationId: newId(), userId: newId(), email: `nobody-${newId()}@acme.test` };
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
  if (route.ownerOnly && (caller === 'admin' || caller === 'admin by code')) return { status: 403, code: 'NOT_ORG_OWNER' };
  if (route.target === 'none') return { status: 200 };
  // The target is reachable only when it lives in the caller key's own organization (and, for
  // own-keys routes, was created by the caller's user: the target is the owner's).
  const own = caller === 'other organization' ? 'other organization' : 'same organization';
  if (target === own && (!route.ownKeysOnly || caller === 'owner by code')) {
    // The same-organization target key was made by the owner: an admin may not touch it (once it is found).
    if (route.target === 'key' && (caller === 'admin' || caller === 'admin by code'))
      return { status: 403, code: 'ROLE_HIERARCHY' };
    return { status: 200 };
  }
  if (route.target === 'key') return { status: 404, code: 'KEY_NOT_FOUND' };
  if (route.target === 'member') return { status: 404, code: 'MEMBER_NOT_FOUND' };
  return { status: 404, code: 'ORGANIZATION_NOT_FOUND' };
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
      const ownRows = async () =>
        (await t.audit()).filter((r) => route.auditAction === undefined || r.action === route.auditAction);
      const auditBefore = (await ownRows()).length;
      const res = await t.call(route.path, body, options);

      expect(res.status).toBe(expected.status);
      expect(res.body.success).toBe(expected.status === 200);
      if (expected.code !== undefined) expect(res.body.error.code).toBe(expected.code);
      expect(res.headers['x-request-id']).toBe(res.body.requestId);

      if (expected.status !== 200 || !route.mutates) {
        expect(await snapshotKeys(t)).toEqual(before);
      }
      const written = (await ownRows()).length - auditBefore;
      const authenticated = route.auth === 'none' || expected.status !== 401;
      expect(written).toBe(route.audited && authenticated ? (route.auditRows ?? 1) : 0);
    } finally {
      await t.close();
    }
  });
}

// ---- the role grid ----------------------------------------------------------

/**
 * A route of the role grid: a member route acts on a person of each role, a key route on a
 * key made by a person of each role. `newRoles`: the roles an update asks for (one cell each).
 */
export interface GridRoute {
  path: string;
  kind: 'member' | 'key';
  audited: boolean;
  newRoles?: readonly Role[];
  body(target: { userId: string; email: string; keyId: string }, newRole: Role | undefined): unknown;
  /** For an allowed cell: did the call do what it asked? */
  applied(t: TestApp, target: GridTarget, newRole: Role | undefined): Promise<boolean>;
}

export interface GridTarget {
  userId: string;
  email: string;
  key: SeededKey;
}

const RANK: Record<Role, number> = { owner: 2, admin: 1, member: 0 };

/**
 * The rules as a table, written apart from roles.ts so the grid can catch it: a member caller
 * manages nothing; an admin may not act on an owner, on an owner's key, or grant the owner
 * role. The targets are other people than the caller, and the organization keeps two owners,
 * so neither the self rule nor the last-owner rule is in play here.
 */
export function expectedGridCell(route: GridRoute, caller: Role, targetRole: Role, newRole: Role | undefined): Expected {
  if (caller === 'member') return { status: 403, code: 'NOT_ORG_ADMIN' };
  if (RANK[targetRole] > RANK[caller]) return { status: 403, code: 'ROLE_HIERARCHY' };
  if (route.kind === 'member' && newRole !== undefined && RANK[newRole] > RANK[caller]) {
    return { status: 403, code: 'ROLE_HIERARCHY' };
  }
  return { status: 200 };
}

/** A second person of each role in orgA, each with a key of every scope: the grid's targets. */
export async function seedGridTargets(t: TestApp): Promise<Record<Role, GridTarget>> {
  const out = {} as Record<Role, GridTarget>;
  for (const role of ROLES) {
    const user = await seedUser(t.store, t.orgA.id, `${role}-2@acme.test`, role);
    out[role] = {
      userId: user.id,
      email: user.email,
      key: await seedKey(t.store, t.orgA.id, user.id, { name: `${role} 2 key` }),
    };
  }
  return out;
}

const CALLER_KEY: Record<Role, (t: TestApp) => SeededKey> = {
  owner: (t) => t.keys.owner,
  admin: (t) => t.keys.admin,
  member: (t) => t.keys.member,
};

export interface GridCell {
  name: string;
  caller: Role;
  target: Role;
  newRole: Role | undefined;
  expected: Expected;
}

export function gridCells(route: GridRoute): GridCell[] {
  const cells: GridCell[] = [];
  for (const caller of ROLES) {
    for (const target of ROLES) {
      for (const newRole of route.newRoles ?? [undefined]) {
        const expected = expectedGridCell(route, caller, target, newRole);
        const person = `${target === 'member' ? 'a' : 'an'} ${target}`;
        const what = route.kind === 'key' ? `a key made by ${person}` : person;
        const name = `${caller} caller × ${what}${newRole === undefined ? '' : ` → ${newRole}`}: ${JSON.stringify(expected)}`;
        cells.push({ name, caller, target, newRole, expected });
      }
    }
  }
  return cells;
}

/** Defines one test per cell of the role grid (call inside a describe). */
export function runRoleGrid(route: GridRoute): void {
  it.each(gridCells(route).map((cell) => [cell.name, cell] as const))('%s', async (_name, cell) => {
    const { caller, target: targetRole, newRole, expected } = cell;
    const t = await createTestApp();
    try {
      const targets = await seedGridTargets(t);
      const target = targets[targetRole];
      const before = await snapshotKeys(t);
      const auditBefore = (await t.audit()).length;
      const res = await t.call(
        route.path,
        route.body({ userId: target.userId, email: target.email, keyId: target.key.id }, newRole),
        { key: CALLER_KEY[caller](t).raw },
      );
      expect(res.status).toBe(expected.status);
      if (expected.code !== undefined) expect(res.body.error.code).toBe(expected.code);
      if (expected.status === 200) {
        expect(await route.applied(t, target, newRole)).toBe(true);
      } else {
        expect(await snapshotKeys(t)).toEqual(before);
      }
      if (route.audited) {
        const rows = (await t.audit()).slice(auditBefore);
        expect(rows.some((r) => r.requestId === res.body.requestId)).toBe(true);
        expect(rows.filter((r) => r.result !== 'allowed')).toHaveLength(expected.status === 200 ? 0 : 1);
      }
    } finally {
      await t.close();
    }
  });
}
