/**
 * Figure 2, bad input: fast-check generates at least 10 000 requests against create, update
 * and revoke — wrong types, unknown and mass-assignment fields, huge strings, unicode and
 * control characters, deep nesting, non-JSON, wrong content types, bodies over the limit,
 * duplicate and empty scopes — mixed with well-formed ones so that some succeed and change
 * the database. Every request is sent in turn (app.inject) against one SQLite file; the
 * database (every table but the audit log) is dumped after each.
 *
 * Replay: CODIKA_HARDENING_SEED=<seed printed below> npm run test:hardening
 */
import { OPERATIONS } from '@codika/contract';
import { BODY_LIMIT_BYTES } from '@codika/contract/operations';
import { SCOPES } from '@codika/contract/scopes';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { newId } from '../src/ids.js';
import { figure, note } from './support/figures.js';
import { appOver, ipOf, post, sqliteWorld, type WorldSeed } from './support/world.js';

const RUNS = Number(process.env.CODIKA_HARDENING_RUNS ?? 10_000);
const SEED = process.env.CODIKA_HARDENING_SEED ? Number(process.env.CODIKA_HARDENING_SEED) : Date.now() % 2 ** 31;

const PATHS = {
  create: OPERATIONS.createKey.path,
  update: OPERATIONS.updateKey.path,
  revoke: OPERATIONS.revokeKey.path,
} as const;
type Op = keyof typeof PATHS;

// ---- generators -------------------------------------------------------------------

const controlChars = fc
  .array(fc.integer({ min: 0, max: 31 }), { minLength: 1, maxLength: 20 })
  .map((codes) => String.fromCharCode(...codes, 0x7f, 0x202e, 0xfeff));
const unicode = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    'Ａｃｍｅ',
    '👩‍👩‍👧‍👦🔑',
    'ﬁ',
    'İı',
    'e\u0301',
    '\ud800',
    '\udfff',
    'a\u0000b',
    '\u2028\u2029',
    'Robert"); DROP TABLE api_keys;--',
  ),
);
const hugeString = fc.integer({ min: 90, max: 40_000 }).map((n) => 'x'.repeat(n));
/** Deep nesting travels as a marker, expanded in the payload text (JSON.stringify would recurse). */
const deepNesting = fc
  .tuple(fc.integer({ min: 20, max: 8000 }), fc.boolean())
  .map(([depth, arrays]) => `@@DEEP_${depth}_${arrays ? 'a' : 'o'}@@`);
function expandDeep(text: string): string {
  return text.replace(/"@@DEEP_(\d+)_([ao])@@"/g, (_m, d: string, kind: string) => {
    const depth = Number(d);
    return kind === 'a' ? `${'['.repeat(depth)}"leaf"${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`;
  });
}
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
const anyValue = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: unicode },
  { weight: 2, arbitrary: controlChars },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: deepNesting },
  { weight: 3, arbitrary: wrongType },
);

const validScope = fc.constantFrom(...SCOPES);
const scopeList = fc.oneof(
  { weight: 4, arbitrary: fc.array(validScope, { minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.array(validScope, { minLength: 2, maxLength: 12 }) }, // duplicates
  { weight: 2, arbitrary: fc.constant([]) }, // empty
  { weight: 2, arbitrary: fc.array(fc.oneof(validScope, fc.string({ maxLength: 20 }), unicode, wrongType), { maxLength: 6 }) },
  { weight: 1, arbitrary: fc.array(validScope, { minLength: 65, maxLength: 80 }) },
  { weight: 1, arbitrary: anyValue },
);
const name = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== '') },
  { weight: 2, arbitrary: anyValue },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a'.repeat(100), 'a'.repeat(101)) },
);
const description = fc.oneof(fc.string({ maxLength: 40 }), anyValue, fc.constantFrom('', 'd'.repeat(500), 'd'.repeat(501)));

/** Which keyId: a live target, another organization's, revoked, never existed, or junk. */
const keyIdChoice = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('target', 'target2', 'other', 'revoked', 'never', 'self') },
  { weight: 2, arbitrary: anyValue.map((v) => ({ literal: v })) },
);

const massAssignment = fc.record(
  {
    organizationId: fc.oneof(fc.constantFrom('orgA', 'orgB'), anyValue),
    hash: fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }), anyValue),
    createdBy: fc.oneof(fc.constant('owner'), anyValue),
    createdAt: fc.oneof(
      fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString())),
      anyValue,
    ),
    id: anyValue,
    revokedAt: fc.oneof(fc.constant(null), anyValue),
    prefix: anyValue,
    lastUsedAt: anyValue,
    __proto__: fc.constant({ admin: true }),
    constructor: anyValue,
  },
  { requiredKeys: [] },
);
const unknownFields = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), anyValue, { maxKeys: 3 });

interface Spec {
  op: Op;
  caller: 'owner' | 'admin' | 'member' | 'lacking' | 'none' | 'malformed';
  keyId: string | { literal: unknown };
  clean: boolean;
  valid: Record<string, unknown>;
  fields: Record<string, unknown>;
  extra: Record<string, unknown>;
  mass: Record<string, unknown>;
  /** How the body travels. */
  shape: 'json' | 'not-object' | 'non-json' | 'wrong-type' | 'over-limit' | 'empty';
  notObject: unknown;
  nonJson: string;
  contentType: string;
}

const spec: fc.Arbitrary<Spec> = fc.record({
  op: fc.constantFrom<Op>('create', 'update', 'update', 'revoke'),
  caller: fc.oneof(
    { weight: 12, arbitrary: fc.constant('owner' as const) },
    { weight: 2, arbitrary: fc.constant('admin' as const) },
    { weight: 1, arbitrary: fc.constantFrom('member' as const, 'lacking' as const, 'none' as const, 'malformed' as const) },
  ),
  keyId: keyIdChoice,
  fields: fc.record(
    {
      name,
      description,
      scopes: scopeList,
      addScopes: scopeList,
      removeScopes: scopeList,
      expiresInDays: fc.oneof(fc.integer({ min: -5, max: 400 }), anyValue),
      dryRun: fc.oneof(fc.boolean(), anyValue),
      force: fc.oneof(fc.boolean(), anyValue),
    },
    { requiredKeys: [] },
  ),
  /** One request in five carries only well-formed fields, so the success paths (and their writes) are exercised too. */
  clean: fc.nat(4).map((n) => n === 0),
  valid: fc.record(
    {
      name: fc.string({ minLength: 1, maxLength: 20 }).filter((x) => x.trim() !== ''),
      description: fc.string({ maxLength: 40 }),
      scopes: fc.array(validScope, { minLength: 1, maxLength: 4 }),
      addScopes: fc.array(validScope, { minLength: 1, maxLength: 2 }),
      removeScopes: fc.array(validScope, { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: ['name'] },
  ),
  extra: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: unknownFields }),
  mass: fc.oneof({ weight: 3, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: massAssignment }),
  shape: fc.oneof(
    { weight: 14, arbitrary: fc.constant('json' as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'not-object' as const,
        'non-json' as const,
        'wrong-type' as const,
        'over-limit' as const,
        'empty' as const,
      ),
    },
  ),
  notObject: fc.oneof(wrongType, fc.string(), deepNesting),
  nonJson: fc.oneof(
    fc.string({ minLength: 1, maxLength: 200 }),
    fc.constantFrom(
      '{',
      '{"name":',
      '{"keyId":"x",}',
      "{'keyId':'x'}",
      'NaN',
      '\u0000',
      '[1,2',
      '{"a":1}{"b":2}',
      'keyId=x&name=y',
    ),
  ),
  contentType: fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    'application/xml',
    'text/json',
  ),
});

// ---- running ------------------------------------------------------------------------

/**
 * The keyId of a request. Updates aim at two live targets (or, for the admin caller, its own
 * key: self-lockout); revokes aim at keys the run created, so the update targets and the
 * callers' keys stay live and the success paths stay reachable all run long.
 */
function resolveKeyId(seed: WorldSeed, s: Spec, created: string[]): unknown {
  const choice = s.keyId;
  if (typeof choice !== 'string') return choice.literal;
  if (s.op === 'revoke' && (choice === 'target' || choice === 'target2' || choice === 'self')) return created.pop() ?? newId();
  switch (choice) {
    case 'target':
      return seed.keys.target.id;
    case 'target2':
      return seed.keys.demoted.id;
    case 'other':
      return seed.keys.otherTarget.id;
    case 'revoked':
      return seed.keys.revokedTarget.id;
    case 'self':
      return s.caller === 'admin' ? seed.keys.admin.id : seed.keys.target.id;
    default:
      return newId();
  }
}

function callerRaw(seed: WorldSeed, caller: Spec['caller']): string | null {
  switch (caller) {
    case 'none':
      return null;
    case 'malformed':
      return 'cko_not-a-key';
    case 'lacking':
      return seed.keys.lacking.raw;
    default:
      return seed.keys[caller].raw;
  }
}

describe('figure 2: bad input', () => {
  it(`${RUNS} generated requests against create, update and revoke`, async () => {
    const suite = 'bad input';
    note(suite, `fast-check seed = ${SEED} (replay: CODIKA_HARDENING_SEED=${SEED} npm run test:hardening)`);
    const samples = fc.sample(spec, { seed: SEED, numRuns: RUNS });
    const world = await sqliteWorld();
    const wapp = await appOver(world.store, { logLevel: 'trace' });
    const created: string[] = [];
    const rawKeys = new Set(Object.values(world.seed.keys).map((k) => k.raw));
    const counts = {
      tried: 0,
      status5xx: 0,
      changedOnError: 0,
      leakingAnswers: 0,
      ok2xx: 0,
      byStatus: new Map<number, number>(),
    };
    const examples: string[] = [];
    const example = (s: string) => {
      if (examples.length < 20) examples.push(s.length > 400 ? `${s.slice(0, 400)}…` : s);
    };
    try {
      let before = await world.dump();
      for (let i = 0; i < samples.length; i++) {
        const s = samples[i] as Spec;
        const key = callerRaw(world.seed, s.caller);
        const body: Record<string, unknown> = s.clean ? {} : { ...s.extra };
        const fields = s.clean ? { ...s.valid } : { ...s.fields };
        if (s.clean && s.op === 'update' && 'scopes' in fields) {
          delete fields.addScopes;
          delete fields.removeScopes;
        }
        if (s.op === 'create') {
          body.organizationId = world.seed.orgA.id;
          for (const f of ['name', 'scopes', 'description', 'expiresInDays'] as const) if (f in fields) body[f] = fields[f];
          if (!s.clean)
            Object.assign(
              body,
              s.mass.organizationId === undefined
                ? {}
                : {
                    organizationId:
                      s.mass.organizationId === 'orgB'
                        ? world.seed.orgB.id
                        : s.mass.organizationId === 'orgA'
                          ? world.seed.orgA.id
                          : s.mass.organizationId,
                  },
            );
          if (!('name' in body) && i % 3 !== 0) body.name = `fuzz ${i}`;
          if (!('scopes' in body) && i % 3 !== 0) body.scopes = ['projects:read'];
        } else {
          body.keyId = resolveKeyId(world.seed, s, created);
          if (s.op === 'update') {
            for (const f of ['name', 'description', 'scopes', 'addScopes', 'removeScopes', 'dryRun', 'force'] as const)
              if (f in fields) body[f] = fields[f];
          }
          for (const [k, v] of Object.entries(s.clean ? {} : s.mass)) {
            if (k === '__proto__')
              Object.defineProperty(body, '__proto__', { value: v, enumerable: true, configurable: true, writable: true });
            else
              body[k] =
                v === 'orgA'
                  ? world.seed.orgA.id
                  : v === 'orgB'
                    ? world.seed.orgB.id
                    : v === 'owner'
                      ? world.seed.users.owner.id
                      : v;
          }
        }
        let payload: string | undefined;
        let contentType: string | null = 'application/json';
        switch (s.shape) {
          case 'json':
            payload = JSON.stringify(body);
            break;
          case 'not-object':
            payload = JSON.stringify(s.notObject) ?? 'null';
            break;
          case 'non-json':
            payload = s.nonJson;
            break;
          case 'wrong-type':
            payload = JSON.stringify(body);
            contentType = s.contentType;
            break;
          case 'over-limit':
            payload = JSON.stringify({ ...body, pad: 'p'.repeat(BODY_LIMIT_BYTES + 1) });
            break;
          case 'empty':
            payload = '';
            contentType = i % 2 === 0 ? null : 'application/json';
            break;
        }
        payload = expandDeep(payload);
        const res = await post(wapp.app, PATHS[s.op], { key, payload, contentType, ip: ipOf(i) });
        counts.tried++;
        counts.byStatus.set(res.status, (counts.byStatus.get(res.status) ?? 0) + 1);
        const after = await world.dump();
        const ok = res.status >= 200 && res.status < 300;
        if (ok) counts.ok2xx++;
        if (res.status >= 500) {
          counts.status5xx++;
          example(`#${i} ${s.op} → ${res.status} ${res.text} for ${String(payload).slice(0, 200)}`);
        }
        if (!ok && after !== before) {
          counts.changedOnError++;
          example(`#${i} ${s.op} → ${res.status} but the database changed`);
        }
        // A created key's raw form is answered once, in data.apiKey, and nowhere else.
        let text = res.text;
        if (ok && s.op === 'create' && typeof res.body?.data?.apiKey === 'string') {
          const createdRaw = res.body.data.apiKey as string;
          text = text.split(createdRaw).join('');
          rawKeys.add(createdRaw);
          created.push(res.body.data.keyId as string);
        }
        if ([...rawKeys].some((k) => text.includes(k))) {
          counts.leakingAnswers++;
          example(`#${i} ${s.op} → ${res.status}: answer holds a raw key`);
        }
        before = after;
      }
      const logText = wapp.logs.text();
      const logLines = logText.split('\n').filter((l) => l.trim() !== '');
      const leakingLogLines = logLines.filter((l) => [...rawKeys].some((k) => l.includes(k))).length;
      const dbText = await world.dumpAll();
      const leakingDb = [...rawKeys].filter((k) => dbText.includes(k)).length;

      for (const e of examples) console.log(`  ${e}`);
      note(
        suite,
        `answers by status: ${[...counts.byStatus.entries()]
          .sort(([a], [b]) => a - b)
          .map(([k, v]) => `${k}×${v}`)
          .join(', ')}`,
      );
      figure(suite, 'requests tried', counts.tried, { min: 10_000 });
      figure(suite, 'requests answered 2xx (the generator reaches the success path)', counts.ok2xx, { min: 100 });
      figure(suite, '5xx answers', counts.status5xx, { eq: 0 });
      figure(suite, 'database changes on non-2xx answers (audit rows excluded)', counts.changedOnError, { eq: 0 });
      figure(suite, 'answers holding a raw key (other than a created key’s own apiKey)', counts.leakingAnswers, { eq: 0 });
      figure(suite, `log lines (level trace, ${logLines.length} lines) holding a raw key`, leakingLogLines, { eq: 0 });
      figure(suite, `raw keys (of ${rawKeys.size} known) found in any database row`, leakingDb, { eq: 0 });
    } finally {
      await wapp.close();
      await world.close();
    }
  });
});
