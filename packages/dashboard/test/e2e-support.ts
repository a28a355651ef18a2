/**
 * What the dashboard's browser tests share: the real server started on a fresh database (with
 * any extra options, e.g. SMTP), the operator CLI, calls with the key header, screenshots,
 * Chromium, and the keyboard helpers (who has focus, Tab until an element has it).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = new URL('../../../', import.meta.url).pathname;
export const SERVER_BIN = join(ROOT, 'packages/server/dist/bin.js');
export const ARTIFACTS = join(ROOT, 'test-artifacts/dashboard');

/** Whether the browser tests can run here; says why not (one line) when they cannot. */
export function browserTestsReady(what: string): boolean {
  const ready = existsSync(CHROMIUM) && existsSync(SERVER_BIN) && existsSync(join(ROOT, 'packages/dashboard/dist/index.html'));
  if (!existsSync(CHROMIUM)) console.log(`${what} skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);
  else if (!ready) console.log(`${what} skipped: run npm run build first`);
  return ready;
}

export const ALL_BUT_MANAGE = [
  'deploy:use-case',
  'projects:create',
  'projects:read',
  'workflows:trigger',
  'executions:read',
  'instances:read',
  'instances:manage',
  'skills:read',
  'integrations:manage',
];

export interface Running {
  url: string;
  ownerKey: string;
  organizationId: string;
  child: ChildProcess;
  dir: string;
  db: string;
}

/** `codika-server start --first-run-bootstrap` on a fresh database and a free port, with `extra` options. */
export async function startServer(extra: string[] = []): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'codika-dashboard-e2e-'));
  const db = join(dir, 'codika.db');
  const child = spawn(process.execPath, [SERVER_BIN, 'start', '--port', '0', '--db', db, '--first-run-bootstrap', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c) => {
    err += c;
  });
  return await new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${err}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`server exited (${code}):\n${out}\n${err}`)));
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const ownerKey = /^\s+(cko_[0-9A-Za-z]{28})\s*$/m.exec(out)?.[1];
      const organizationId = /created "Default Organization" \(([^)]+)\)/.exec(out)?.[1];
      if (url && ownerKey && organizationId) {
        clearTimeout(timer);
        resolve({ url, ownerKey, organizationId, child, dir, db });
      }
    });
  });
}

export async function stopServer(server: Running | undefined): Promise<void> {
  if (!server) return;
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  rmSync(server.dir, { recursive: true, force: true });
}

/** Run an operator command on the server's database (`--json`). */
export function operator(db: string, args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [SERVER_BIN, ...args, '--db', db, '--json'], { encoding: 'utf8' });
  return JSON.parse(out) as Record<string, unknown>;
}

/** Call an operation with the key header, as the CLI does. */
export async function api(url: string, path: string, key: string, body: unknown = {}) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-process-manager-key': key },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  return { status: res.status, body: (await res.json()) as any };
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** The focused element, described the way a keyboard user meets it. */
export async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const input = el as HTMLInputElement;
    const label = el.getAttribute('aria-label') ?? input.labels?.[0]?.textContent ?? el.textContent ?? '';
    const style = getComputedStyle(el);
    // A stable identity per element, so a walk through the page knows when it came round.
    const w = window as unknown as { tabIds?: WeakMap<Element, number>; tabNext?: number };
    w.tabIds ??= new WeakMap();
    if (!w.tabIds.has(el)) {
      w.tabNext = (w.tabNext ?? 0) + 1;
      w.tabIds.set(el, w.tabNext);
    }
    return {
      id: w.tabIds.get(el),
      tag: el.tagName.toLowerCase(),
      type: input.type ?? '',
      name: label.replace(/\s+/g, ' ').trim(),
      outlined: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0,
    };
  });
}

/** Tab through the whole page (wrapping past the browser's own UI) until focus comes back round. */
export async function tabStops(page: Page, max = 150) {
  const stops: NonNullable<Awaited<ReturnType<typeof focused>>>[] = [];
  let outside = 0;
  for (let i = 0; i < max && outside < 4; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now === null) {
      outside++;
      continue;
    }
    if (stops.some((s) => s.id === now.id)) break;
    stops.push(now);
  }
  return stops;
}

/** Press Tab until the element named `name` has focus. */
export async function tabTo(page: Page, name: string | RegExp, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now && now.tag !== 'h1' && (typeof name === 'string' ? now.name === name : name.test(now.name))) {
      expect(now.outlined, `focus on ${now.name} is visible`).toBe(true);
      return;
    }
  }
  throw new Error(`Tab never reached ${name}`);
}
