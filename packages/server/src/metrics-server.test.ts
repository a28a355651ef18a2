import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import type { CommandIO } from './commands/command-deps.js';
import { parseStartOptions, type RawStartFlags, runStart, type StartDeps } from './commands/start.js';
import { openStore } from './store/index.js';

/** Start a real server with `flags`, call `body` with what it printed, stop it. */
async function withServer(dir: string, flags: RawStartFlags, body: (out: string) => Promise<void>): Promise<void> {
  let out = '';
  let stop: (signal: string) => void = () => {};
  const io: CommandIO = { out: (t) => (out += t), err: () => {} };
  const deps: StartDeps = {
    io,
    clock: () => new Date(),
    openStore,
    buildApp,
    logger: false,
    waitForShutdown: () => new Promise<string>((resolve) => (stop = resolve)),
  };
  const running = runStart(parseStartOptions({ db: join(dir, 'codika.db'), port: '0', ...flags }, {}), deps);
  const metricsLine = flags.metrics === true || flags.metricsPort !== undefined;
  for (let i = 0; i < 500 && !(out.includes('listening on') && (out.includes('Metrics') || !metricsLine)); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  try {
    await body(out);
  } finally {
    stop('SIGTERM');
    expect(await running).toBe(0);
  }
}

const apiUrl = (out: string) => /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;

describe('codika-server start --metrics, --metrics-port', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codika-metrics-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses the flags: the metrics port binds 127.0.0.1 unless told otherwise', () => {
    expect(parseStartOptions({ metricsPort: '9464' }, {}).metricsListen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseStartOptions({ metricsPort: '0', metricsHost: '0.0.0.0' }, {}).metricsListen).toEqual({
      host: '0.0.0.0',
      port: 0,
    });
    expect(parseStartOptions({}, {}).metrics).toBeUndefined();
    expect(() => parseStartOptions({ metricsHost: '0.0.0.0' }, {})).toThrow(/--metrics-port/);
    expect(() => parseStartOptions({ metricsPort: 'x' }, {})).toThrow(/--port|port/);
  });

  it('--metrics-port serves the metrics on 127.0.0.1 apart from the API; the API port does not', async () => {
    await withServer(dir, { metricsPort: '0' }, async (out) => {
      const metricsUrl = /Metrics: (http:\/\/\S+)/.exec(out)?.[1] as string;
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await fetch(`${apiUrl(out)}/verifyapikey`, { method: 'POST' });
      const res = await fetch(metricsUrl);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toMatch(/^codika_http_requests_total\{route="\/verifyapikey",method="POST",status="401"\} 1$/m);
      expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
      expect((await fetch(`${apiUrl(out)}/metrics`)).status).toBe(404);
    });
  });

  it('--metrics serves GET /metrics on the API port; without it nothing is served', async () => {
    await withServer(dir, { metrics: true }, async (out) => {
      const res = await fetch(`${apiUrl(out)}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('codika_http_requests_total');
    });
    await withServer(dir, {}, async (out) => {
      expect(out).not.toContain('Metrics');
      expect((await fetch(`${apiUrl(out)}/metrics`)).status).toBe(404);
    });
  });
});
