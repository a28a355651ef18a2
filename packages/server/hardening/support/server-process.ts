/** A real `codika-server start` process (the built dist/bin.js), as an operator would run it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './figures.js';

export const SERVER_BIN = join(REPO_ROOT, 'packages/server/dist/bin.js');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The figures judge every attempt they make (races, bad input, the matrix make far more than 30
 * refused attempts a minute with one key): the budget of refused attempts is off unless a
 * figure sets it. Its own check is src/http/denial-throttle.test.ts.
 */
const DENIED_ATTEMPTS_OFF = ['--denied-attempt-budget', 'off'];

export async function startServer(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<ServerProcess> {
  if (!existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: run npm run build first`);
  const budget = args.includes(DENIED_ATTEMPTS_OFF[0] as string) ? [] : DENIED_ATTEMPTS_OFF;
  const child = spawn(process.execPath, [SERVER_BIN, 'start', '--host', '127.0.0.1', '--port', '0', ...budget, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    out += d;
  });
  child.stderr?.on('data', (d: string) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${timeoutMs} ms: ${out} ${err}`)), timeoutMs);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening: ${out} ${err}`));
    });
  });
  return { url, child, stdout: () => out, stderr: () => err, exited };
}

export async function stopServer(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  await server.exited;
}

export interface HttpAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are inspected loosely
  body: any;
  text: string;
}

export async function httpPost(url: string, path: string, key: string | null, body: unknown): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers['x-process-manager-key'] = key;
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

export interface FinishedProcess {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** True when the process had to be killed at the timeout. */
  timedOut: boolean;
}

/** Run `codika-server <args>` to its end (killed with SIGKILL after timeoutMs). */
export async function runServerCommand(args: string[], timeoutMs = 20_000): Promise<FinishedProcess> {
  if (!existsSync(SERVER_BIN)) throw new Error(`${SERVER_BIN} is missing: run npm run build first`);
  const started = performance.now();
  const child = spawn(process.execPath, [SERVER_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    stdout += d;
  });
  child.stderr?.on('data', (d: string) => {
    stderr += d;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (c, s) => resolve({ code: c, signal: s }));
  });
  clearTimeout(timer);
  return { code, signal, stdout, stderr, ms: Math.round(performance.now() - started), timedOut };
}
