/**
 * Figure 12, a flood from one key. Two organizations on a real `codika-server start` process
 * (SQLite). One organization's key floods the server from 64 keep-alive connections (the
 * bench's load generator, bench/load.mjs, in a process of its own), each sending its next
 * request as soon as the last is answered — verifies, then updates (writes: the database's
 * queue). Meanwhile the other organization makes requests one after another (verify, get,
 * update). From the server's own log lines (for every request: its completion time, its time in
 * the server, the caller's key id) the test counts, for each of the other organization's
 * requests, how many of the flood's requests the server finished while it served that request:
 * what it waited behind — a count that depends far less on how fast or how loaded the machine
 * is than a latency does. The stated bound, for the write flood (the database's queue, which
 * every organization shares): p95 at most 1.5 × the per-key share (--key-concurrency, 16),
 * i.e. 24; without the share it grows with the flood's connections (the control must exceed the
 * bound). For the verify flood, which costs CPU only, the same counts, the counts from send to
 * answer and the latencies are printed as notes: on a shared machine they measure the machine
 * as much as the server. Every request of both must be answered 200 — the flood is slowed,
 * never refused.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { OPERATIONS } from '@codika/contract';
import { describe, it } from 'vitest';
import { DEFAULT_KEY_CONCURRENCY } from '../src/http/key-concurrency.js';
import { figure, note, REPO_ROOT } from './support/figures.js';
import { httpPost, runServerCommand, startServer, stopServer } from './support/server-process.js';
import { scratchDir } from './support/world.js';

const FLOOD_CONNECTIONS = 64;
const SHARE = DEFAULT_KEY_CONCURRENCY.perKey;
/** The stated bound: the flood's writes another organization's request waits behind in the server (p95). */
const BOUND = SHARE + SHARE / 2;
const LOAD = join(REPO_ROOT, 'bench/load.mjs');

interface Org {
  apiKey: string;
  keyId: string;
  organizationId: string;
}

interface LogLine {
  time: number;
  responseTime: number;
  callerKeyId?: string;
  res?: { statusCode?: number };
}

function caller(url: string) {
  const base = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return (path: string, key: string, body: unknown) =>
    new Promise<{ status: number; ms: number; from: number; to: number }>((resolve) => {
      const payload = JSON.stringify(body);
      const from = Date.now();
      const started = performance.now();
      const req = request(
        {
          host: base.hostname,
          port: base.port,
          method: 'POST',
          path,
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            'x-process-manager-key': key,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, from, to: Date.now() }));
        },
      );
      req.on('error', () => resolve({ status: 0, ms: performance.now() - started, from, to: Date.now() }));
      req.end(payload);
    });
}

interface Phase {
  /** Per request of the other organization: the flood's requests finished while the server served it. */
  behind: number[];
  /** The same, from its send to its answer as its client saw them (includes time before the server read it). */
  behindClientSide: number[];
  victimMs: number[];
  victimFailed: number;
  floodAnswered: number;
  floodNot200: number;
}

/** The flood (a child process) and the other organization's requests, side by side. */
async function floodPhase(
  url: string,
  attacker: Org,
  floodTarget: string,
  victim: Org,
  kind: 'verify' | 'update',
  seconds: number,
) {
  const child = spawn(
    process.execPath,
    [LOAD, url, kind, String(seconds + 1), String(FLOOD_CONNECTIONS), attacker.apiKey, floodTarget],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 500));
  const own = caller(url);
  const victimMs: number[] = [];
  const intervals: [number, number][] = [];
  let victimFailed = 0;
  const until = performance.now() + (seconds - 0.5) * 1000;
  for (let i = 0; performance.now() < until; i++) {
    const res =
      i % 3 === 0
        ? await own(OPERATIONS.verifyApiKey.path, victim.apiKey, {})
        : i % 3 === 1
          ? await own(OPERATIONS.getKey.path, victim.apiKey, { keyId: victim.keyId })
          : await own(OPERATIONS.updateKey.path, victim.apiKey, { keyId: victim.keyId, description: `victim ${kind} ${i}` });
    victimMs.push(res.ms);
    intervals.push([res.from, res.to]);
    if (res.status !== 200) victimFailed++;
  }
  await exited;
  const load = JSON.parse(/LOADJSON (.*)/.exec(out)?.[1] ?? '{}') as {
    requests?: number;
    errors?: { status?: number; other?: number };
  };
  return {
    victimMs,
    intervals,
    victimFailed,
    floodAnswered: load.requests ?? 0,
    floodNot200: (load.errors?.status ?? 0) + (load.errors?.other ?? 0),
  };
}

/** The flood's requests the server finished within each interval (wall-clock ms, from its log lines). */
function finishedWithin(lines: LogLine[], floodKey: string, intervals: [number, number][]): number[] {
  const floodDone = lines
    .filter((l) => l.callerKeyId === floodKey)
    .map((l) => l.time)
    .sort((a, b) => a - b);
  const countIn = (from: number, to: number) => {
    let lo = 0;
    while (lo < floodDone.length && (floodDone[lo] as number) < from) lo++;
    let hi = lo;
    while (hi < floodDone.length && (floodDone[hi] as number) <= to) hi++;
    return hi - lo;
  };
  return intervals.map(([from, to]) => countIn(from, to));
}

/** Each of the other organization's requests, as the server served it: from its onRequest to its answer. */
function servedIntervals(lines: LogLine[], victimKey: string, from: number, to: number): [number, number][] {
  return lines
    .filter((l) => l.callerKeyId === victimKey && l.time >= from && l.time <= to)
    .map((l) => [Math.floor(l.time - l.responseTime), l.time]);
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

async function bootstrap(db: string, name: string): Promise<Org> {
  const run = await runServerCommand([
    'bootstrap',
    '--db',
    db,
    '--org-name',
    name,
    '--owner-email',
    `owner@${name}.test`,
    '--json',
  ]);
  if (run.code !== 0) throw new Error(`bootstrap ${name}: ${run.stderr}`);
  return JSON.parse(run.stdout) as Org;
}

describe('figure 12: a flood from one key', () => {
  it('another organization waits behind at most a bounded number of the flood’s requests', async () => {
    const suite = 'flood from one key';
    const results: Record<string, Phase> = {};
    for (const share of ['on', 'off'] as const) {
      const dir = scratchDir('codika-flood-');
      const db = join(dir, 'codika.db');
      try {
        const attacker = await bootstrap(db, 'attacker');
        const victim = await bootstrap(db, 'victim');
        const server = await startServer(['--db', db, ...(share === 'off' ? ['--key-concurrency', 'off'] : [])]);
        const phases: Partial<Record<'verify' | 'update', Awaited<ReturnType<typeof floodPhase>>>> = {};
        try {
          const target = await httpPost(server.url, OPERATIONS.createKey.path, attacker.apiKey, {
            organizationId: attacker.organizationId,
            name: 'flooded',
            scopes: ['projects:read'],
          });
          for (const kind of ['verify', 'update'] as const) {
            phases[kind] = await floodPhase(server.url, attacker, target.body.data.keyId, victim, kind, 4);
            await new Promise((r) => setTimeout(r, 300));
          }
        } finally {
          await stopServer(server);
        }
        const lines = server
          .stdout()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as LogLine)
          .filter((l) => typeof l.responseTime === 'number');
        for (const kind of ['verify', 'update'] as const) {
          const phase = phases[kind];
          if (!phase) continue;
          const first = phase.intervals[0]?.[0] ?? 0;
          const last = phase.intervals.at(-1)?.[1] ?? 0;
          results[`${kind} ${share}`] = {
            ...phase,
            behind: finishedWithin(lines, attacker.keyId, servedIntervals(lines, victim.keyId, first, last)),
            behindClientSide: finishedWithin(lines, attacker.keyId, phase.intervals),
          };
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    for (const [name, r] of Object.entries(results)) {
      note(
        suite,
        `${name}: ${r.victimMs.length} requests of the other organization waited behind p50 ${pct(r.behind, 0.5)} / p95 ${pct(r.behind, 0.95)} / max ${Math.max(
          ...r.behind,
        )} of the flood's in the server (p50 ${pct(r.behindClientSide, 0.5)} / p95 ${pct(r.behindClientSide, 0.95)} from send to answer); their latency p50 ${pct(r.victimMs, 0.5).toFixed(1)} / p95 ${pct(r.victimMs, 0.95).toFixed(1)} ms; flood ${r.floodAnswered} answered, ${r.floodNot200} not 200`,
      );
    }
    for (const kind of ['verify', 'update'] as const) {
      const on = results[`${kind} on`] as Phase;
      figure(suite, `${kind} flood: the other organization's requests not answered 200`, on.victimFailed, { eq: 0 });
      figure(suite, `${kind} flood: the flooding key's requests not answered 200 (it is slowed, not refused)`, on.floodNot200, {
        eq: 0,
      });
    }
    const onUpdate = results['update on'] as Phase;
    const offUpdate = results['update off'] as Phase;
    figure(
      suite,
      `update flood from ${FLOOD_CONNECTIONS} connections: p95 of the flood's writes another organization's request waited behind in the server`,
      pct(onUpdate.behind, 0.95),
      { max: BOUND },
    );
    figure(
      suite,
      "control, --key-concurrency off: p95 of the flood's writes waited behind (the figure sees crowding)",
      pct(offUpdate.behind, 0.95),
      { min: BOUND },
    );
  });
});
