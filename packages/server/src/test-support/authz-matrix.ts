/**
 * The shared authorization matrix, run against every key route:
 *   caller (no key, malformed key, bad checksum, unknown, revoked, expired, lacking
 *   api-keys:manage, member, admin, owner, key of another organization)
 *   × target (same organization, other organization, revoked key, never existed)
 * with the expected status and code of each cell. Every cell runs on a fresh database;
 * a denied cell (and any cell of a read-only route) must leave the keys untouched, and
 * an audited route writes exactly one audit row per authenticated attempt.
 *
 * Public routes (`auth: 'none'`, the e-mailed-code operations) run the same caller axis: a key
 * header, valid or not, must change nothing — every caller gets the route's one answer.
 */
import type { ErrorCode } from '@codika/contract/errors';
import { expect, it } from 'vitest';
import { newId } from '../ids.js';
import { badChecksumKey, createTestApp, snapshotKeys, type TestApp, type TestAppOptions, unknownKey } from './http.js';

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
export type CallerKind = (typeof CALLERS)[number];

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

export function callerKey(t: TestApp, caller: CallerKind): string | null {
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

export function expectedCell(route: MatrixRoute, caller: CallerKind, target: TargetKind): Expected {
  if (route.auth === 'none') return route.publicAnswer ?? { status: 200 };
  if (UNAUTHENTICATED.has(caller)) return { status: 401, code: 'UNAUTHENTICATED' };
  if (route.scope !== null) {
    if (caller === 'lacking api-keys:manage') return { status: 403, code: 'INSUFFICIENT_SCOPE' };
    if (caller === 'member') return { status: 403, code: 'NOT_ORG_ADMIN' };
  }
  if (route.target === 'none') return { status: 200 };
  // The target is reachable only when it lives in the caller key's own organization.
  const own = caller === 'other organization' ? 'other organization' : 'same organization';
  if (target === own) return { status: 200 };
  return route.target === 'key' ? { status: 404, code: 'KEY_NOT_FOUND' } : { status: 404, code: 'ORGANIZATION_NOT_FOUND' };
}

/** Defines one test per cell (call inside a describe). */
export function runAuthzMatrix(route: MatrixRoute): void {
  const cells: [CallerKind, TargetKind, Expected][] = [];
  for (const caller of CALLERS) {
    for (const target of targetsOf(route)) cells.push([caller, target, expectedCell(route, caller, target)]);
  }

  it.each(cells)('%s × %s → %j', async (caller, target, expected) => {
    const t = await createTestApp(route.app);
    try {
      const body = await route.body(resolveTarget(t, target), t);
      const before = await snapshotKeys(t);
      const auditBefore = (await t.audit()).length;
      const res = await t.call(route.path, body, { key: callerKey(t, caller) });

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
