/**
 * Figure 11, broken databases. `codika-server start` (the real process) on a file whose pages
 * were overwritten, a truncated file, a file whose header was overwritten, a text file, a
 * directory, and paths under /proc: each must exit 1 with a message naming the file and the
 * problem — never listen, never spin (it must exit within seconds). Then a server started on a
 * good file whose pages are damaged under it: `/readyz` must stop answering ok.
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { openStore } from '../src/store/index.js';
import { figure, note } from './support/figures.js';
import { runServerCommand, startServer, stopServer } from './support/server-process.js';
import { scratchDir } from './support/world.js';

const EXIT_WITHIN_MS = 10_000;

async function goodDatabase(file: string): Promise<void> {
  const store = await openStore({ sqliteFile: file });
  await store.migrate();
  for (let i = 0; i < 200; i++)
    await store.createOrganization({ id: `org-${i}`, name: `Org ${i}`, createdAt: '2026-03-31T14:00:00.000Z' });
  await store.close();
}

function overwrite(file: string, from: number, to: number): void {
  const fd = openSync(file, 'r+');
  const garbage = Buffer.alloc(4096, 0xa5);
  for (let offset = from; offset < to; offset += 4096) writeSync(fd, garbage, 0, Math.min(4096, to - offset), offset);
  closeSync(fd);
}

describe('figure 11: broken databases', () => {
  it('start refuses unusable databases with a clear message and exit 1; readiness sees damage under a running server', async () => {
    const suite = 'broken databases';
    const dir = scratchDir('codika-broken-');
    try {
      const cases: { name: string; path: string; expect: RegExp }[] = [];
      const pages = join(dir, 'pages.db');
      await goodDatabase(pages);
      overwrite(pages, 4096, statSync(pages).size);
      cases.push({ name: 'pages overwritten', path: pages, expect: /is damaged.*restore it from a backup/ });
      const truncated = join(dir, 'truncated.db');
      await goodDatabase(truncated);
      truncateSync(truncated, Math.floor(statSync(truncated).size / 3));
      cases.push({ name: 'truncated', path: truncated, expect: /is damaged/ });
      const header = join(dir, 'header.db');
      await goodDatabase(header);
      overwrite(header, 0, 100);
      cases.push({ name: 'header overwritten', path: header, expect: /is not a SQLite database/ });
      const text = join(dir, 'notes.txt');
      writeFileSync(text, 'not a database\n'.repeat(1000));
      cases.push({ name: 'a text file', path: text, expect: /is not a SQLite database/ });
      const directory = join(dir, 'a-directory');
      mkdirSync(directory);
      cases.push({ name: 'a directory', path: directory, expect: /not a regular file/ });
      cases.push({ name: '/proc/version', path: '/proc/version', expect: /pseudo-filesystem/ });
      cases.push({ name: '/proc/self/fd/1', path: '/proc/self/fd/1', expect: /pseudo-filesystem|not a regular file/ });
      cases.push({ name: '/proc/new.db', path: '/proc/new.db', expect: /pseudo-filesystem/ });

      let notExit1 = 0;
      let unclear = 0;
      let slowest = 0;
      let listened = 0;
      for (const c of cases) {
        const run = await runServerCommand(['start', '--db', c.path, '--port', '0'], EXIT_WITHIN_MS * 2);
        slowest = Math.max(slowest, run.timedOut ? Number.POSITIVE_INFINITY : run.ms);
        if (run.code !== 1) notExit1++;
        if (run.stdout.includes('listening on')) listened++;
        const clear = c.expect.test(run.stderr) && run.stderr.includes(c.path) && !/unexpected error/.test(run.stderr);
        if (!clear) unclear++;
        note(suite, `${c.name}: exit ${run.code ?? run.signal} in ${run.ms} ms: ${run.stderr.trim().split('\n').at(-1)}`);
      }
      figure(suite, `unusable databases (of ${cases.length}) not refused with exit 1`, notExit1, { eq: 0 });
      figure(suite, 'of those, servers that listened anyway', listened, { eq: 0 });
      figure(suite, 'refusals without a message naming the file and the problem', unclear, { eq: 0 });
      figure(suite, 'slowest refusal, from spawn to exit (ms; no spinning)', slowest, { max: EXIT_WITHIN_MS });

      // Damage under a running server.
      const live = join(dir, 'live.db');
      await goodDatabase(live);
      const server = await startServer(['--db', live]);
      try {
        const before = await fetch(`${server.url}/readyz`);
        await before.arrayBuffer();
        figure(suite, 'readiness of the good file before the damage (200 = ok)', before.status, { eq: 200 });
        overwrite(live, 4096, statSync(live).size);
        const after = await fetch(`${server.url}/readyz`);
        const body = await after.text();
        figure(suite, 'readiness answering ok on a file damaged under the running server', after.status === 200 ? 1 : 0, {
          eq: 0,
        });
        note(suite, `after the damage /readyz answered ${after.status} ${body}`);
      } finally {
        await stopServer(server);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
