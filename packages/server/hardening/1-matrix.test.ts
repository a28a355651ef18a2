/**
 * Figure 1, the authorization matrix: every key and member route × 12 callers × targets
 * (same organization, other organization, revoked key or former member, never existed) ×
 * change (within the caller's rights, beyond them — a scope it lacks, the owner role —,
 * taking the caller's own api-keys:manage — where the route has such a thing). Each cell is
 * judged against a model of the rules, and the database (every table but the audit log) is
 * dumped before and after it.
 *
 * Beside it, the role grid: owner, admin and member callers × a person of each role (role
 * changes to each role, removal) and × a key made by a person of each role (get, update,
 * revoke), judged against a table of the hierarchy.
 *
 * A world is reused from cell to cell while its dump equals the pristine one; after a cell
 * that changed anything (an allowed change, or a bug) the next cell gets a fresh world.
 */
import { OPERATIONS } from '@codika/contract';
import { ROLES, type Role } from '@codika/contract/operations';
import { describe, it } from 'vitest';
import { newId } from '../src/ids.js';
import type { AuditAction } from '../src/store/types.js';
import { CALLERS as ROUTE_TEST_CALLERS } from '../src/test-support/authz-matrix.js';
import { seedKey, seedUser } from '../src/test-support/http.js';
import { figure, note } from './support/figures.js';
import {
  type Answer,
  appOver,
  BEYOND_SCOPE,
  ipOf,
  post,
  postgresAvailable,
  postgresWorld,
  sqliteWorld,
  T0 as T0_WORLD,
  type World,
  type WorldApp,
  type WorldSeed,
  withoutRequestId,
} from './support/world.js';

// The route tests' callers, plus a user demoted after the key was made.
const CALLERS = [...ROUTE_TEST_CALLERS, 'demoted after the key was made'] as const;
type Caller = (typeof CALLERS)[number];

const TARGETS = ['same organization', 'other organization', 'revoked', 'never existed'] as const;
type Target = (typeof TARGETS)[number];

type Change = 'within' | 'beyond' | 'own manage' | 'none';

interface Route {
  name: keyof typeof OPERATIONS;
  targetKind: 'key' | 'organization' | 'member' | 'none';
  changes: readonly Change[];
  mutates: boolean;
  audited: boolean;
  /** The action of the attempt's own row when an allowed call writes more (a removal's key.revoke rows). */
  auditAction?: AuditAction;
}

const ROUTES: Route[] = [
  { name: 'verifyApiKey', targetKind: 'none', changes: ['none'], mutates: false, audited: false },
  { name: 'createKey', targetKind: 'organization', changes: ['within', 'beyond'], mutates: true, audited: true },
  { name: 'updateKey', targetKind: 'key', changes: ['within', 'beyond', 'own manage'], mutates: true, audited: true },
  { name: 'listKeys', targetKind: 'organization', changes: ['none'], mutates: false, audited: false },
  { name: 'getKey', targetKind: 'key', changes: ['none'], mutates: false, audited: false },
  // Revoke: the target itself, or (own manage) the caller's own key, which holds api-keys:manage.
  { name: 'revokeKey', targetKind: 'key', changes: ['within', 'own manage'], mutates: true, audited: true },
  { name: 'listMembers', targetKind: 'none', changes: ['none'], mutates: false, audited: false },
  // Add: "beyond" asks for the owner role.
  { name: 'addMember', targetKind: 'none', changes: ['within', 'beyond'], mutates: true, audited: true },
  // Update: "within" makes the member an admin, "beyond" an owner.
  { name: 'updateMember', targetKind: 'member', changes: ['within', 'beyond'], mutates: true, audited: true },
  {
    name: 'removeMember',
    targetKind: 'member',
    changes: ['within'],
    mutates: true,
    audited: true,
    auditAction: 'member.remove',
  },
  // The key lifecycle: rotate the target, or (own manage) the caller's own key; the settings (owners change them).
  { name: 'rotateKey', targetKind: 'key', changes: ['within', 'own manage'], mutates: true, audited: true },
  { name: 'getSettings', targetKind: 'none', changes: ['none'], mutates: false, audited: false },
  { name: 'updateSettings', targetKind: 'none', changes: ['within'], mutates: true, audited: true },
];

const UNAUTHENTICATED = new Set<Caller>(['no key', 'malformed key', 'bad checksum', 'unknown key', 'revoked key', 'expired key']);

function badChecksum(raw: string): string {
  const last = raw.at(-1);
  return raw.slice(0, -1) + (last === 'A' ? 'B' : 'A');
}

/** A well-formed key (valid checksum) that was never stored. */
async function unknownKey(): Promise<string> {
  const { generateKey } = await import('@codika/contract/keys');
  return generateKey('cko_');
}

function callerKeyOf(seed: WorldSeed, caller: Caller, unknown: string): { raw: string | null; id: string | null } {
  const k = seed.keys;
  switch (caller) {
    case 'no key':
      return { raw: null, id: null };
    case 'malformed key':
      return { raw: 'not-a-codika-key', id: null };
    case 'bad checksum':
      return { raw: badChecksum(k.owner.raw), id: null };
    case 'unknown key':
      return { raw: unknown, id: null };
    case 'revoked key':
      return k.revoked;
    case 'expired key':
      return k.expired;
    case 'lacking api-keys:manage':
      return k.lacking;
    case 'member':
      return k.member;
    case 'admin':
      return k.admin;
    case 'owner':
      return k.owner;
    case 'other organization':
      return k.other;
    case 'demoted after the key was made':
      return k.demoted;
  }
}

/** The target an authenticated caller may reach: the live target of its own organization. */
function homeTarget(caller: Caller): Target {
  return caller === 'other organization' ? 'other organization' : 'same organization';
}

/** The target that lives in another organization than the caller's. */
function foreignTarget(caller: Caller): Target {
  return caller === 'other organization' ? 'same organization' : 'other organization';
}

function targetsOf(route: Route): readonly Target[] {
  if (route.targetKind === 'none') return ['same organization'];
  if (route.targetKind === 'organization') return TARGETS.filter((t) => t !== 'revoked');
  return TARGETS;
}

interface Resolved {
  keyId: string;
  organizationId: string;
  /** Member routes: the member target (for "revoked", a former member). */
  userId: string;
}

function resolveTarget(
  seed: WorldSeed,
  caller: Caller,
  target: Target,
  change: Change,
  neverKey: string,
  neverOrg: string,
): Resolved {
  const own = callerKeyOf(seed, caller, '').id;
  const u = seed.users;
  switch (target) {
    case 'same organization':
      // "Own manage": the caller's own key stands in for the live target of its organization.
      if (change === 'own manage' && own !== null && homeTarget(caller) === 'same organization')
        return { keyId: own, organizationId: seed.orgA.id, userId: u.member.id };
      return { keyId: seed.keys.target.id, organizationId: seed.orgA.id, userId: u.member.id };
    case 'other organization':
      if (change === 'own manage' && own !== null && homeTarget(caller) === 'other organization')
        return { keyId: own, organizationId: seed.orgB.id, userId: u.otherMember.id };
      return { keyId: seed.keys.otherTarget.id, organizationId: seed.orgB.id, userId: u.otherMember.id };
    case 'revoked':
      return { keyId: seed.keys.revokedTarget.id, organizationId: seed.orgA.id, userId: u.former.id };
    case 'never existed':
      return { keyId: neverKey, organizationId: neverOrg, userId: neverKey };
  }
}

let addedPeople = 0;

function bodyOf(route: Route, change: Change, t: Resolved): unknown {
  switch (route.name) {
    case 'verifyApiKey':
      return {};
    case 'listKeys':
      return { organizationId: t.organizationId };
    case 'getKey':
      return { keyId: t.keyId };
    case 'revokeKey':
      return { keyId: t.keyId };
    case 'createKey':
      return {
        organizationId: t.organizationId,
        name: 'New key',
        scopes: change === 'beyond' ? [BEYOND_SCOPE] : ['projects:read'],
      };
    case 'updateKey':
      if (change === 'within') return { keyId: t.keyId, name: 'Renamed', scopes: ['instances:read', 'projects:read'] };
      if (change === 'beyond') return { keyId: t.keyId, addScopes: [BEYOND_SCOPE] };
      return { keyId: t.keyId, removeScopes: ['api-keys:manage'] };
    case 'listMembers':
      return {};
    case 'addMember':
      return { email: `new-${++addedPeople}@acme.test`, role: change === 'beyond' ? 'owner' : 'member' };
    case 'updateMember':
      return { userId: t.userId, role: change === 'beyond' ? 'owner' : 'admin' };
    case 'removeMember':
      return { userId: t.userId };
    case 'rotateKey':
      return { keyId: t.keyId, gracePeriodSeconds: 60 };
    case 'getSettings':
      return {};
    case 'updateSettings':
      return { maxKeyLifetimeDays: 90 };
    default:
      throw new Error(`no body for ${route.name}`);
  }
}

interface Expected {
  status: number;
  code?: string;
}

/** The order of checks of docs/server.md: 401, then the caller's own rights (403), then the target (404), then the change (403/409). */
function expected(route: Route, caller: Caller, target: Target, change: Change): Expected {
  if (UNAUTHENTICATED.has(caller)) return { status: 401, code: 'UNAUTHENTICATED' };
  const scope = OPERATIONS[route.name].scope;
  if (scope !== null) {
    if (caller === 'lacking api-keys:manage') return { status: 403, code: 'INSUFFICIENT_SCOPE' };
    if (caller === 'member' || caller === 'demoted after the key was made') return { status: 403, code: 'NOT_ORG_ADMIN' };
  }
  // Granting the owner role is an owner's alone (the "other organization" caller is its organization's owner).
  const grantsOwner = change === 'beyond' && (route.name === 'addMember' || route.name === 'updateMember');
  // The organization's settings are changed by owners only.
  if (route.name === 'updateSettings' && caller === 'admin') return { status: 403, code: 'NOT_ORG_OWNER' };
  if (route.targetKind === 'none')
    return grantsOwner && caller === 'admin' ? { status: 403, code: 'ROLE_HIERARCHY' } : { status: 200 };
  if (target !== homeTarget(caller)) {
    if (route.targetKind === 'key') return { status: 404, code: 'KEY_NOT_FOUND' };
    if (route.targetKind === 'member') return { status: 404, code: 'MEMBER_NOT_FOUND' };
    return { status: 404, code: 'ORGANIZATION_NOT_FOUND' };
  }
  if (grantsOwner) return caller === 'admin' ? { status: 403, code: 'ROLE_HIERARCHY' } : { status: 200 };
  // The same-organization target key was made by the owner: the admin may not touch it, whatever the change
  // ("own manage" aims at the caller's own key instead).
  if (route.targetKind === 'key' && caller === 'admin' && change !== 'own manage') return { status: 403, code: 'ROLE_HIERARCHY' };
  if (change === 'beyond') return { status: 403, code: 'SCOPE_ESCALATION' };
  if (change === 'own manage' && route.name === 'updateKey') return { status: 409, code: 'SELF_LOCKOUT' };
  return { status: 200 };
}

interface Counters {
  cells: number;
  unexpectedAllows: number;
  wrongAnswers: number;
  crossOrgDiffers: number;
  crossOrgPairs: number;
  revokedDiffers: number;
  deniedChanges: number;
  allowedInvisible: number;
  auditMismatches: number;
  examples: string[];
}

async function runMatrix(label: string, freshWorld: () => Promise<World>): Promise<Counters> {
  const c: Counters = {
    cells: 0,
    unexpectedAllows: 0,
    wrongAnswers: 0,
    crossOrgDiffers: 0,
    crossOrgPairs: 0,
    revokedDiffers: 0,
    deniedChanges: 0,
    allowedInvisible: 0,
    auditMismatches: 0,
    examples: [],
  };
  const example = (s: string) => {
    if (c.examples.length < 20) c.examples.push(s);
  };
  const unknown = await unknownKey();
  // "Never existed" ids are fixed for the whole run so cross-org and never-existed bodies differ only by the id.
  const neverKey = newId();
  const neverOrg = newId();

  let world: World | undefined;
  let wapp: WorldApp | undefined;
  let pristine = '';
  let dirty = true;
  let ipCounter = 0;
  const open = async () => {
    await wapp?.close();
    await world?.close();
    world = await freshWorld();
    wapp = await appOver(world.store);
    pristine = await world.dump();
    dirty = false;
  };

  try {
    for (const route of ROUTES) {
      const path = OPERATIONS[route.name].path;
      for (const caller of CALLERS) {
        for (const change of route.changes) {
          const answers = new Map<Target, Answer>();
          for (const target of targetsOf(route)) {
            if (dirty) await open();
            const w = world as World;
            const a = wapp as WorldApp;
            const key = callerKeyOf(w.seed, caller, unknown).raw;
            const resolved = resolveTarget(w.seed, caller, target, change, neverKey, neverOrg);
            const exp = expected(route, caller, target, change);
            const ownRows = async () =>
              (await w.audit()).filter((r) => route.auditAction === undefined || r.action === route.auditAction).length;
            const auditBefore = await ownRows();
            const res = await post(a.app, path, { key, body: bodyOf(route, change, resolved), ip: ipOf(++ipCounter) });
            const after = await w.dump();
            const auditAfter = await ownRows();
            c.cells++;
            answers.set(target, res);
            const cell = `[${label}] ${route.name} × ${caller} × ${target} × ${change}`;
            const allowed = res.status >= 200 && res.status < 300;
            if (allowed && exp.status !== 200) {
              c.unexpectedAllows++;
              example(`${cell}: allowed (${res.status}), expected ${exp.status} ${exp.code}`);
            }
            if (res.status !== exp.status || (exp.code !== undefined && res.body?.error?.code !== exp.code)) {
              c.wrongAnswers++;
              example(`${cell}: ${res.status} ${res.body?.error?.code ?? ''}, expected ${exp.status} ${exp.code ?? ''}`);
            }
            const changed = after !== pristine;
            if (!allowed && changed) {
              c.deniedChanges++;
              example(`${cell}: denied (${res.status}) but the database changed`);
            }
            if (allowed && route.mutates && !changed) {
              c.allowedInvisible++;
              example(`${cell}: allowed change not visible in the database`);
            }
            const wantAudit = route.audited && res.status !== 401 ? 1 : 0;
            if (auditAfter - auditBefore !== wantAudit) {
              c.auditMismatches++;
              example(`${cell}: ${auditAfter - auditBefore} audit rows, expected ${wantAudit}`);
            }
            if (changed) dirty = true;
          }
          if (route.targetKind !== 'none') {
            const never = answers.get('never existed');
            const foreign = answers.get(foreignTarget(caller));
            if (never && foreign) {
              c.crossOrgPairs++;
              if (foreign.status !== never.status || withoutRequestId(foreign.text) !== withoutRequestId(never.text)) {
                c.crossOrgDiffers++;
                example(
                  `[${label}] ${route.name} × ${caller} × ${change}: other-org answer ${foreign.text} ≠ never-existed ${never.text}`,
                );
              }
            }
            const revoked = answers.get('revoked');
            if (never && revoked && withoutRequestId(revoked.text) !== withoutRequestId(never.text)) {
              c.revokedDiffers++;
              example(`[${label}] ${route.name} × ${caller} × ${change}: revoked answer differs from never-existed`);
            }
          }
        }
      }
    }
  } finally {
    await wapp?.close();
    await world?.close();
  }
  return c;
}

function report(suite: string, c: Counters): void {
  for (const e of c.examples) console.log(`  ${e}`);
  figure(suite, 'cells run', c.cells, { min: 400 });
  figure(suite, 'unexpected allows', c.unexpectedAllows, { eq: 0 });
  figure(suite, 'answers differing from the model (status or code)', c.wrongAnswers, { eq: 0 });
  figure(
    suite,
    `cross-org answers differing from never-existed, other than by requestId (of ${c.crossOrgPairs} pairs)`,
    c.crossOrgDiffers,
    { eq: 0 },
  );
  figure(suite, 'revoked-target answers differing from never-existed, other than by requestId', c.revokedDiffers, { eq: 0 });
  figure(suite, 'database changes on denied cells (audit rows excluded)', c.deniedChanges, { eq: 0 });
  figure(suite, 'allowed changes not visible in the database dump (the dump sees changes)', c.allowedInvisible, { eq: 0 });
  figure(suite, 'audited cells without exactly one audit row per authenticated attempt', c.auditMismatches, { eq: 0 });
}

// ---- the role grid ----------------------------------------------------------------

type GridOp = { name: 'updateMember'; role: Role } | { name: 'removeMember' | 'getKey' | 'updateKey' | 'revokeKey' };

const GRID_OPS: GridOp[] = [
  ...ROLES.map((role) => ({ name: 'updateMember' as const, role })),
  { name: 'removeMember' },
  { name: 'getKey' },
  { name: 'updateKey' },
  { name: 'revokeKey' },
];

const RANK: Record<Role, number> = { owner: 2, admin: 1, member: 0 };

/**
 * The hierarchy as a table (apart from the server's roles.ts): a member manages nothing; nobody
 * acts on a person, or a person's key, of a higher role, nor grants a role above their own.
 * The targets are other people than the caller and the organization keeps two owners.
 */
function expectedGrid(op: GridOp, caller: Role, target: Role): Expected {
  if (caller === 'member') return { status: 403, code: 'NOT_ORG_ADMIN' };
  if (RANK[target] > RANK[caller]) return { status: 403, code: 'ROLE_HIERARCHY' };
  if (op.name === 'updateMember' && RANK[op.role] > RANK[caller]) return { status: 403, code: 'ROLE_HIERARCHY' };
  return { status: 200 };
}

function gridBody(op: GridOp, target: { userId: string; keyId: string }): unknown {
  switch (op.name) {
    case 'updateMember':
      return { userId: target.userId, role: op.role };
    case 'removeMember':
      return { userId: target.userId };
    case 'updateKey':
      return { keyId: target.keyId, name: 'Renamed by the grid' };
    default:
      return { keyId: target.keyId };
  }
}

const GRID_AUDIT: Partial<Record<GridOp['name'], AuditAction>> = {
  updateMember: 'member.update',
  removeMember: 'member.remove',
  updateKey: 'key.update',
  revokeKey: 'key.revoke',
};

async function runGrid(label: string, freshWorld: () => Promise<World>): Promise<Counters> {
  const c: Counters = {
    cells: 0,
    unexpectedAllows: 0,
    wrongAnswers: 0,
    crossOrgDiffers: 0,
    crossOrgPairs: 0,
    revokedDiffers: 0,
    deniedChanges: 0,
    allowedInvisible: 0,
    auditMismatches: 0,
    examples: [],
  };
  let world: World | undefined;
  let wapp: WorldApp | undefined;
  let targets: Record<Role, { userId: string; keyId: string }> | undefined;
  let pristine = '';
  let dirty = true;
  let ipCounter = 0;
  const open = async () => {
    await wapp?.close();
    await world?.close();
    world = await freshWorld();
    // A second person of each role in orgA, each with a key: the grid's targets.
    const made = {} as Record<Role, { userId: string; keyId: string }>;
    for (const role of ROLES) {
      const user = await seedUser(world.store, world.seed.orgA.id, `${role}-2@acme.test`, role);
      const key = await seedKey(world.store, world.seed.orgA.id, user.id, { name: `${role} 2 key` });
      await world.store.touchLastUsed(key.id, T0_WORLD, T0_WORLD);
      made[role] = { userId: user.id, keyId: key.id };
    }
    targets = made;
    wapp = await appOver(world.store);
    pristine = await world.dump();
    dirty = false;
  };
  const callers: Record<Role, (seed: WorldSeed) => string> = {
    owner: (seed) => seed.keys.owner.raw,
    admin: (seed) => seed.keys.admin.raw,
    member: (seed) => seed.keys.member.raw,
  };
  try {
    for (const op of GRID_OPS) {
      const path = OPERATIONS[op.name].path;
      for (const caller of ROLES) {
        for (const target of ROLES) {
          if (dirty) await open();
          const w = world as World;
          const a = wapp as WorldApp;
          const t = (targets as Record<Role, { userId: string; keyId: string }>)[target];
          const exp = expectedGrid(op, caller, target);
          const action = GRID_AUDIT[op.name];
          const ownRows = async () => (await w.audit()).filter((r) => r.action === action).length;
          const auditBefore = await ownRows();
          const res = await post(a.app, path, { key: callers[caller](w.seed), body: gridBody(op, t), ip: ipOf(++ipCounter) });
          const changed = (await w.dump()) !== pristine;
          const written = (await ownRows()) - auditBefore;
          c.cells++;
          const cell = `[${label}] grid ${op.name}${op.name === 'updateMember' ? `→${op.role}` : ''} × ${caller} caller × ${target}`;
          const allowed = res.status >= 200 && res.status < 300;
          if (allowed && exp.status !== 200) {
            c.unexpectedAllows++;
            if (c.examples.length < 20) c.examples.push(`${cell}: allowed, expected ${exp.status} ${exp.code}`);
          }
          if (res.status !== exp.status || (exp.code !== undefined && res.body?.error?.code !== exp.code)) {
            c.wrongAnswers++;
            if (c.examples.length < 20)
              c.examples.push(`${cell}: ${res.status} ${res.body?.error?.code ?? ''}, expected ${exp.status} ${exp.code ?? ''}`);
          }
          if (!allowed && changed) c.deniedChanges++;
          // A change to the role a person already has changes nothing; a get changes nothing.
          const changesSomething = op.name !== 'getKey' && !(op.name === 'updateMember' && op.role === target);
          if (allowed && changesSomething && !changed) c.allowedInvisible++;
          if (written !== (action === undefined ? 0 : 1)) {
            c.auditMismatches++;
            if (c.examples.length < 20) c.examples.push(`${cell}: ${written} audit rows of ${action}`);
          }
          if (changed) dirty = true;
        }
      }
    }
  } finally {
    await wapp?.close();
    await world?.close();
  }
  return c;
}

function reportGrid(suite: string, c: Counters): void {
  for (const e of c.examples) console.log(`  ${e}`);
  figure(suite, 'cells run (3 caller roles × 3 target roles × 7 operations)', c.cells, { min: 63 });
  figure(suite, 'unexpected allows', c.unexpectedAllows, { eq: 0 });
  figure(suite, 'answers differing from the hierarchy table (status or code)', c.wrongAnswers, { eq: 0 });
  figure(suite, 'database changes on denied cells (audit rows excluded)', c.deniedChanges, { eq: 0 });
  figure(suite, 'allowed changes not visible in the database dump', c.allowedInvisible, { eq: 0 });
  figure(suite, 'audited cells without exactly one row of their action', c.auditMismatches, { eq: 0 });
}

describe('figure 1: authorization matrix', () => {
  it('on SQLite', async () => {
    report('matrix (sqlite)', await runMatrix('sqlite', sqliteWorld));
  });

  it('role grid on SQLite', async () => {
    reportGrid('role grid (sqlite)', await runGrid('sqlite', sqliteWorld));
  });

  it('role grid on PostgreSQL', async () => {
    const support = await postgresAvailable();
    if (typeof support === 'string') {
      note('role grid (postgres)', `skipped: ${support}`);
      return;
    }
    reportGrid('role grid (postgres)', await runGrid('postgres', () => postgresWorld(support)));
  });

  it('on PostgreSQL', async () => {
    const support = await postgresAvailable();
    if (typeof support === 'string') {
      note('matrix (postgres)', `skipped: ${support}`);
      return;
    }
    report('matrix (postgres)', await runMatrix('postgres', () => postgresWorld(support)));
  });
});
