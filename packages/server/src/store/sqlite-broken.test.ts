/**
 * Broken SQLite databases: a damaged file, a file that is no database, a path that is no file
 * are refused at start with a message saying what is wrong (StoreOpenError); readiness (ping)
 * fails on a damaged file even when the server opened it.
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../ids.js';
import { StoreOpenError } from './errors.js';
import { openStore } from './index.js';
import { checkSqliteFile } from './sqlite.js';

const T0 = '2026-03-31T14:00:00.000Z';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'codika-broken-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A migrated database with a few rows, closed (its WAL folded into the file). */
async function goodDatabase(): Promise<string> {
  const file = join(dir, 'codika.db');
  const store = await openStore({ sqliteFile: file });
  await store.migrate();
  for (let i = 0; i < 50; i++) await store.createOrganization({ id: newId(), name: `Org ${i}`, createdAt: T0 });
  await store.close();
  return file;
}

/** Overwrite every page but the first (the header and the schema) with a pattern. */
function damagePages(file: string): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  const garbage = Buffer.alloc(4096, 0xa5);
  for (let offset = 4096; offset < size; offset += 4096) writeSync(fd, garbage, 0, garbage.length, offset);
  closeSync(fd);
}

function refusal(fn: () => unknown): StoreOpenError {
  try {
    fn();
  } catch (err) {
    if (err instanceof StoreOpenError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('the start-up check of a SQLite file', () => {
  it('passes a good database, a new (empty or missing) file and :memory:', async () => {
    const file = await goodDatabase();
    expect(() => checkSqliteFile(file)).not.toThrow();
    writeFileSync(join(dir, 'empty.db'), '');
    expect(() => checkSqliteFile(join(dir, 'empty.db'))).not.toThrow();
    expect(() => checkSqliteFile(join(dir, 'missing', 'new.db'))).not.toThrow();
    expect(() => checkSqliteFile(':memory:')).not.toThrow();
  });

  it('refuses damaged pages, naming the file and what to do', async () => {
    const file = await goodDatabase();
    damagePages(file);
    const err = refusal(() => checkSqliteFile(file));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/is damaged/);
    expect(err.message).toMatch(/restore it from a backup/);
    await expect(openStore({ sqliteFile: file }, { check: true })).rejects.toBeInstanceOf(StoreOpenError);
  });

  it('refuses a truncated database', async () => {
    const file = await goodDatabase();
    truncateSync(file, Math.floor(statSync(file).size / 2));
    expect(refusal(() => checkSqliteFile(file)).message).toMatch(/damaged/);
  });

  it('refuses a file that is no database', () => {
    const file = join(dir, 'notes.txt');
    writeFileSync(file, 'these are not the pages you are looking for\n'.repeat(200));
    expect(refusal(() => checkSqliteFile(file)).message).toMatch(/is not a SQLite database/);
  });

  it('refuses a directory and a file on /proc, at the check and at open', () => {
    mkdirSync(join(dir, 'a-directory'));
    expect(refusal(() => checkSqliteFile(join(dir, 'a-directory'))).message).toMatch(/not a regular file/);
    expect(refusal(() => checkSqliteFile('/proc/version')).message).toMatch(/pseudo-filesystem/);
    return expect(openStore({ sqliteFile: '/proc/self/status' })).rejects.toThrow(/pseudo-filesystem/);
  });
});

describe('readiness (ping) on SQLite', () => {
  it('passes on a good database, and writes nothing visible', async () => {
    const file = await goodDatabase();
    const store = await openStore({ sqliteFile: file });
    await store.migrate();
    await store.ping();
    expect(await store.isEmpty()).toBe(false);
    await store.close();
  });

  it('fails on a database damaged under a running store (what is on disk is read, not the page cache)', async () => {
    const file = await goodDatabase();
    const store = await openStore({ sqliteFile: file });
    await store.migrate();
    await store.ping();
    damagePages(file);
    await expect(store.ping()).rejects.toThrow(/malformed|corrupt|not a database/i);
    await store.close();
  });
});
