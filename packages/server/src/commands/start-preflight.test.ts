import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreOpenError } from '../store/errors.js';
import { checkDatabaseWritable, describeListenFailure, ListenError, probePort } from './start-preflight.js';

describe('start preflight', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const f of cleanup.splice(0)) f();
  });

  it('probePort passes a free port (and leaves it free) and names a busy one', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
    cleanup.push(() => server.close());
    const busy = (server.address() as { port: number }).port;
    await expect(probePort('127.0.0.1', busy)).rejects.toThrow(
      new RegExp(`port ${busy} is already in use on 127.0.0.1 .*npm start -- --port ${busy + 1}`),
    );
    await expect(probePort('127.0.0.1', 0)).resolves.toBeUndefined();
    server.close();
    await new Promise((r) => setTimeout(r, 10));
    await expect(probePort('127.0.0.1', busy)).resolves.toBeUndefined();
    await expect(probePort('127.0.0.1', busy)).resolves.toBeUndefined(); // the probe closed what it opened
  });

  it('describeListenFailure names the address and what to do, and says nothing was created only before the first run', () => {
    const inUse = describeListenFailure({ code: 'EADDRINUSE' }, '::1', 8787);
    expect(inUse).toBeInstanceOf(ListenError);
    expect(inUse?.message).toContain('listens on [::1]:8787');
    expect(inUse?.message).toContain('npm start -- --port 8788');
    expect(inUse?.message).toMatch(/Nothing was created\.$/);
    expect(describeListenFailure({ code: 'EADDRINUSE' }, '127.0.0.1', 8787, false)?.message).not.toContain('Nothing was created');
    expect(describeListenFailure({ code: 'EACCES' }, '0.0.0.0', 80)?.message).toMatch(
      /0\.0\.0\.0:80 is not permitted .*below 1024/,
    );
    expect(describeListenFailure({ code: 'EADDRNOTAVAIL' }, '10.9.9.9', 80)?.message).toMatch(/10\.9\.9\.9 is not an address/);
    expect(describeListenFailure(new Error('other'), '127.0.0.1', 80)).toBeUndefined();
  });

  it('checkDatabaseWritable refuses a folder that is a file, an unwritable folder and an unwritable file, and accepts a new path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codika-preflight-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect(() => checkDatabaseWritable({ sqliteFile: join(dir, 'new', 'deeper', 'codika.db') })).not.toThrow();
    expect(() => checkDatabaseWritable({ sqliteFile: join(file, 'codika.db') })).toThrow(StoreOpenError);
    expect(() => checkDatabaseWritable({ sqliteFile: dir })).toThrow(/is not a regular file/);
    const denied = () => {
      throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
    };
    // Permissions through an injected check: the tests may run as root, who may write anywhere.
    expect(() => checkDatabaseWritable({ sqliteFile: join(dir, 'new.db') }, denied)).toThrow(
      `cannot use ${join(dir, 'new.db')} as the SQLite database: this user may not create files in ${dir}; choose another --db`,
    );
    expect(() => checkDatabaseWritable({ sqliteFile: file }, denied)).toThrow(/this user may not read and write it/);
    expect(() => checkDatabaseWritable({ sqliteFile: ':memory:' }, denied)).not.toThrow();
    expect(() => checkDatabaseWritable({ databaseUrl: 'postgres://x' }, denied)).not.toThrow();
  });
});
