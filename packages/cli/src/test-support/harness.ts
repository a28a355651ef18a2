/**
 * Test doubles: a fake fetch that fails on any unexpected call and on any expected call left
 * unused, an in-memory config store, captured io, and a runner for whole command lines.
 */
import { generateKey } from '@codika/contract/keys';
import { afterEach, expect } from 'vitest';
import { runCli } from '../cli.js';
import type { Config, ConfigStore } from '../config-store.js';
import { parseConfig } from '../config-store.js';
import type { Deps, Env, FetchFn, Files, Prompter } from '../deps.js';

export interface SeenRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface Expected {
  /** Path (or full URL) the request must go to. */
  url: string;
  /** Checks on the request (its body, headers…). */
  check?: (req: SeenRequest) => void;
  status?: number;
  /** JSON answer (objects are serialized; strings are sent as they are). */
  response?: unknown;
  headers?: Record<string, string>;
  /** Reject the fetch with this error instead of answering. */
  reject?: unknown;
}

export interface FakeFetch extends FetchFn {
  seen: SeenRequest[];
  assertAllUsed(): void;
}

const live: FakeFetch[] = [];
// Every fake fetch of a test must have been used up by the end of that test.
afterEach(() => {
  for (const f of live.splice(0)) f.assertAllUsed();
});

export function fakeFetch(expected: Expected[]): FakeFetch {
  const queue = [...expected];
  const seen: SeenRequest[] = [];
  const fn = (async (input: string, init: RequestInit) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const req: SeenRequest = {
      url: input,
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : init.body,
    };
    seen.push(req);
    const next = queue.shift();
    if (!next) throw new Error(`unexpected fetch: ${req.method} ${req.url} ${JSON.stringify(req.body)}`);
    const matches = next.url.startsWith('http') ? req.url === next.url : new URL(req.url).pathname === next.url;
    if (!matches) throw new Error(`fetch to ${req.url}, expected ${next.url}`);
    next.check?.(req);
    if (next.reject !== undefined) throw next.reject;
    const body = typeof next.response === 'string' ? next.response : JSON.stringify(next.response ?? {});
    return new Response(body, {
      status: next.status ?? 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-test-1', ...next.headers },
    });
  }) as FakeFetch;
  fn.seen = seen;
  fn.assertAllUsed = () => {
    expect(
      queue.map((q) => q.url),
      'expected fetch calls left unused',
    ).toEqual([]);
  };
  live.push(fn);
  return fn;
}

/** The user's files in memory, under the home /home/test. */
export class MemoryFiles implements Files {
  readonly home = '/home/test';
  constructor(public data: Record<string, string> = {}) {}
  async read(path: string): Promise<string | undefined> {
    return this.data[path];
  }
  async write(path: string, text: string): Promise<void> {
    this.data[path] = text;
  }
  async remove(path: string): Promise<boolean> {
    if (!(path in this.data)) return false;
    delete this.data[path];
    return true;
  }
}

export class MemoryConfigStore implements ConfigStore {
  readonly path = '/home/test/.config/codika/config.json';
  writes = 0;
  constructor(
    public data: Config | undefined = undefined,
    public raw?: string,
  ) {}
  async read(): Promise<Config> {
    if (this.raw !== undefined) return parseConfig(this.raw, this.path);
    return this.data ? structuredClone(this.data) : { profiles: {} };
  }
  async write(config: Config): Promise<void> {
    this.writes++;
    this.raw = undefined;
    this.data = structuredClone(config);
  }
}

export class Buffer {
  text = '';
  write(chunk: string): void {
    this.text += chunk;
  }
}

export interface Harness {
  deps: Deps;
  stdout: Buffer;
  stderr: Buffer;
  config: MemoryConfigStore;
  files: MemoryFiles;
  fetch: FakeFetch;
  prompts: string[];
  /** The values each select prompt offered, in order. */
  offered: string[][];
  run(argv: string[]): Promise<number>;
}

export function harness(
  opts: {
    expected?: Expected[];
    config?: Config;
    env?: Env;
    tty?: { stdout?: boolean; stderr?: boolean; stdin?: boolean };
    answers?: (string | boolean | undefined)[];
    files?: Record<string, string>;
  } = {},
): Harness {
  const stdout = new Buffer();
  const stderr = new Buffer();
  const config = new MemoryConfigStore(opts.config);
  const files = new MemoryFiles(opts.files);
  const fetch = fakeFetch(opts.expected ?? []);
  const prompts: string[] = [];
  const offered: string[][] = [];
  const answers = [...(opts.answers ?? [])];
  const prompter: Prompter = {
    async password(message) {
      prompts.push(message);
      if (answers.length === 0) throw new Error(`unexpected password prompt: ${message}`);
      return answers.shift() as string | undefined;
    },
    async confirm(message) {
      prompts.push(message);
      if (answers.length === 0) throw new Error(`unexpected confirm prompt: ${message}`);
      return answers.shift() === true;
    },
    async select(message, choices) {
      prompts.push(message);
      offered.push(choices.map((c) => c.value));
      if (answers.length === 0) throw new Error(`unexpected select prompt: ${message}`);
      const answer = answers.shift();
      if (answer !== undefined && !choices.some((c) => c.value === answer)) throw new Error(`"${answer}" is not a choice`);
      return answer as string | undefined;
    },
  };
  const deps: Deps = {
    io: {
      stdout,
      stderr,
      stdoutIsTTY: opts.tty?.stdout ?? false,
      stderrIsTTY: opts.tty?.stderr ?? false,
      stdinIsTTY: opts.tty?.stdin ?? false,
    },
    env: opts.env ?? {},
    fetch,
    config,
    clock: { now: () => new Date('2026-03-31T14:00:00.000Z') },
    prompter,
    files,
  };
  return {
    deps,
    stdout,
    stderr,
    config,
    files,
    fetch,
    prompts,
    offered,
    run: (argv) => runCli(argv, deps, async () => '0.0.0-test'),
  };
}

export const KEY = generateKey('cko_');
export const OTHER_KEY = generateKey('cko_');

/** A config with one active profile "acme-corp" holding KEY. */
export function profileConfig(overrides: Partial<Config['profiles'][string]> = {}): Config {
  return {
    activeProfile: 'acme-corp',
    profiles: {
      'acme-corp': {
        apiKey: KEY,
        type: 'org-api-key',
        organizationId: 'org_1',
        organizationName: 'Acme Corp',
        keyName: 'Owner key',
        keyPrefix: KEY.slice(0, 8),
        scopes: ['api-keys:manage', 'projects:read'],
        createdAt: '2026-03-01T10:00:00.000Z',
        baseUrl: 'http://127.0.0.1:9999',
        ...overrides,
      },
    },
  };
}

export function ok(data: unknown, requestId = '019d312f-0000-7000-8000-000000000001') {
  return { success: true, data, requestId };
}

export function fail(code: string, message: string, details?: Record<string, unknown>) {
  return {
    success: false,
    error: details ? { code, message, details } : { code, message },
    requestId: '019d312f-0000-7000-8000-00000000000f',
  };
}

/** stdout parsed as exactly one JSON document (throws otherwise). */
export function oneJson(text: string): unknown {
  return JSON.parse(text);
}
