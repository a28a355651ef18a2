/**
 * Figure 1, the authorization matrix: every key route × 12 callers × targets (same
 * organization, other organization, revoked, never existed) × change (within the caller's
 * scopes, beyond them, taking the caller's own api-keys:manage — where the route has such a
 * thing). Each cell is judged against a model of the spec's rules, and the database (every
 * table but the audit log) is dumped before and after it.
 *
 * A world is reused from cell to cell while its dump equals the pristine one; after a cell
 * that changed anything (an allowed change, or a bug) the next cell gets a fresh world.
 */
import { OPERATIONS } from '@codika/contract';
import { describe, it } from 'vitest';
import { newId } from '../src/ids.js';
import { CALLERS as ROUTE_TEST_CALLERS } from '../src/test-support/authz-matrix.js';
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
  targetKind: 'key' | 'organization' | 'none';
  changes: readonly Change[];
  mutates: boolean;
  audited: boolean;
}

const ROUTES: Route[] = [
  { name: 'verifyApiKey', targetKind: 'none', changes: ['none'], mutates: false, audited: false },
  { name: 'createKey', targetKind: 'organization', changes: ['within', 'beyond'], mutates: true, audited: true },
  { name: 'updateKey', targetKind: 'key', changes: ['within', 'beyond', 'own manage'], mutates: true, audited: true },
  { name: 'listKeys', targetKind: 'organization', changes: ['none'], mutates: false, audited: false },
  { name: 'getKey', targetKind: 'key', changes: ['none'], mutates: false, audited: false },
  // Revoke: the target itself, or (own manage) the caller's own key, which holds api-keys:manage.
  { name: 'revokeKey', targetKind: 'key', changes: ['within', 'own manage'], mutates: true, audited: true },
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
  switch (target) {
    case 'same organization':
      // "Own manage": the caller's own key stands in for the live target of its organization.
      if (change === 'own manage' && own !== null && homeTarget(caller) === 'same organization')
        return { keyId: own, organizationId: seed.orgA.id };
      return { keyId: seed.keys.target.id, organizationId: seed.orgA.id };
    case 'other organization':
      if (change === 'own manage' && own !== null && homeTarget(caller) === 'other organization')
        return { keyId: own, organizationId: seed.orgB.id };
      return { keyId: seed.keys.otherTarget.id, organizationId: seed.orgB.id };
    case 'revoked':
      return { keyId: seed.keys.revokedTarget.id, organizationId: seed.orgA.id };
    case 'never existed':
      return { keyId: neverKey, organizationId: neverOrg };
  }
}

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
  }
}

interface Expected {
  status: number;
  code?: string;
}

/** The spec's order of checks: 401, then the caller's own rights (403), then the target (404), then the change (403/409). */
function expected(route: Route, caller: Caller, target: Target, change: Change): Expected {
  if (UNAUTHENTICATED.has(caller)) return { status: 401, code: 'UNAUTHENTICATED' };
  const scope = OPERATIONS[route.name].scope;
  if (scope !== null) {
    if (caller === 'lacking api-keys:manage') return { status: 403, code: 'INSUFFICIENT_SCOPE' };
    if (caller === 'member' || caller === 'demoted after the key was made') return { status: 403, code: 'NOT_ORG_ADMIN' };
  }
  if (route.targetKind === 'none') return { status: 200 };
  if (target !== homeTarget(caller)) {
    return route.targetKind === 'key' ? { status: 404, code: 'KEY_NOT_FOUND' } : { status: 404, code: 'ORGANIZATION_NOT_FOUND' };
  }
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
            const auditBefore = (await w.audit()).length;
            const res = await post(a.app, path, { key, body: bodyOf(route, change, resolved), ip: ipOf(++ipCounter) });
            const after = await w.dump();
            const auditAfter = (await w.audit()).length;
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

describe('figure 1: authorization matrix', () => {
  it('on SQLite', async () => {
    report('matrix (sqlite)', await runMatrix('sqlite', sqliteWorld));
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
