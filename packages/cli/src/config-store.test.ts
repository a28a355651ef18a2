import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configPath, FileConfigStore, slugify, uniqueProfileName } from './config-store.js';
import { ConfigError } from './errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'codika-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const profile = {
  apiKey: 'cko_x',
  type: 'org-api-key',
  organizationId: 'o',
  organizationName: 'Acme Corp',
  keyName: 'k',
  keyPrefix: 'cko_x',
  scopes: ['projects:read'],
  createdAt: '2026-03-31T14:00:00.000Z',
  baseUrl: 'http://127.0.0.1:8787',
};

describe('configPath', () => {
  it('uses XDG_CONFIG_HOME, else ~/.config', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x', HOME: '/h' })).toBe('/x/codika/config.json');
    expect(configPath({ XDG_CONFIG_HOME: '', HOME: '/h' })).toBe('/h/.config/codika/config.json');
    expect(configPath({ HOME: '/h' })).toBe('/h/.config/codika/config.json');
  });
});

describe('FileConfigStore', () => {
  it('reads a missing file as empty, without creating anything', async () => {
    const store = new FileConfigStore(join(dir, 'codika', 'config.json'));
    expect(await store.read()).toEqual({ profiles: {} });
    await expect(stat(join(dir, 'codika'))).rejects.toThrow();
  });

  it('writes the shared format with dir 0700 and file 0600, atomically (no temp file left)', async () => {
    const path = join(dir, 'codika', 'config.json');
    const store = new FileConfigStore(path);
    await store.write({ activeProfile: 'acme-corp', profiles: { 'acme-corp': profile } });
    expect((await stat(join(dir, 'codika'))).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ activeProfile: 'acme-corp', profiles: { 'acme-corp': profile } });
    expect(await readdir(join(dir, 'codika'))).toEqual(['config.json']);
    expect(await store.read()).toEqual({ activeProfile: 'acme-corp', profiles: { 'acme-corp': profile } });
  });

  it('keeps fields written by other clients', async () => {
    const path = join(dir, 'config.json');
    await writeFile(path, JSON.stringify({ activeProfile: 'a', profiles: { a: { ...profile, extra: 1 } }, telemetry: false }));
    const store = new FileConfigStore(path);
    const c = await store.read();
    await store.write(c);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      activeProfile: 'a',
      profiles: { a: { ...profile, extra: 1 } },
      telemetry: false,
    });
  });

  it('tightens looser modes of an existing directory and file', async () => {
    const d = join(dir, 'codika');
    await mkdir(d, { mode: 0o755 });
    await chmod(d, 0o755);
    const path = join(d, 'config.json');
    await writeFile(path, JSON.stringify({ profiles: {} }), { mode: 0o644 });
    await chmod(path, 0o644);
    const store = new FileConfigStore(path);
    await store.read();
    expect((await stat(d)).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await chmod(d, 0o755);
    await store.write({ profiles: {} });
    expect((await stat(d)).mode & 0o777).toBe(0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', '{ "profiles": '],
    ['an array', '[]'],
    ['profiles not an object', '{"profiles": 3}'],
    ['a profile without apiKey', '{"profiles": {"a": {"type": "org-api-key"}}}'],
    ['activeProfile not a string', '{"activeProfile": 1, "profiles": {}}'],
  ])('a corrupt file (%s) is a ConfigError naming the path, and is never overwritten', async (_why, text) => {
    const path = join(dir, 'config.json');
    await writeFile(path, text, { mode: 0o600 });
    const store = new FileConfigStore(path);
    const err = await store.read().catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain(path);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('a failed write leaves the old file and no temp file', async () => {
    const d = join(dir, 'ro');
    await mkdir(d);
    const path = join(d, 'config.json');
    await writeFile(path, '{"profiles":{}}');
    await chmod(d, 0o500);
    const store = new FileConfigStore(path);
    const err = await store.write({ profiles: { a: profile } }).catch((e) => e);
    await chmod(d, 0o700);
    if (process.getuid?.() === 0) return; // root ignores directory permissions
    expect(err).toBeInstanceOf(ConfigError);
    expect(await readFile(path, 'utf8')).toBe('{"profiles":{}}');
    expect(await readdir(d)).toEqual(['config.json']);
  });
});

describe('profile names', () => {
  it('slugifies organization names', () => {
    expect(slugify('Acme Corp')).toBe('acme-corp');
    expect(slugify('  Ünïcode & Co.  ')).toBe('unicode-co');
    expect(slugify('!!!')).toBe('default');
  });
  it('finds a free name unless the existing profile may be reused', () => {
    const config = { profiles: { acme: profile, 'acme-2': profile } };
    expect(uniqueProfileName(config, 'acme')).toBe('acme-3');
    expect(uniqueProfileName(config, 'acme', () => true)).toBe('acme');
    expect(uniqueProfileName(config, 'other')).toBe('other');
  });
});
