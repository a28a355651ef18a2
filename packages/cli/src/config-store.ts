/**
 * The config file shared with the public Codika CLI:
 * `$XDG_CONFIG_HOME/codika/config.json`, else `~/.config/codika/config.json`.
 * Directory 0700, file 0600, written atomically (temp file + rename). A corrupt file is
 * reported with its path and never overwritten; looser modes are tightened.
 */
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Env } from './deps.js';
import { ConfigError } from './errors.js';

export interface Profile {
  apiKey: string;
  type: string;
  organizationId: string;
  organizationName: string;
  keyName: string;
  keyPrefix: string;
  scopes: string[];
  createdAt: string;
  expiresAt?: string;
  baseUrl?: string;
  [extra: string]: unknown;
}

export interface Config {
  activeProfile?: string;
  profiles: Record<string, Profile>;
  /** Fields written by other clients are kept as they are. */
  [extra: string]: unknown;
}

export interface ConfigStore {
  readonly path: string;
  /** The config, or an empty one when the file does not exist. Throws ConfigError when corrupt. */
  read(): Promise<Config>;
  write(config: Config): Promise<void>;
}

export function configPath(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && xdg.length > 0 ? xdg : join(env.HOME && env.HOME.length > 0 ? env.HOME : homedir(), '.config');
  return join(base, 'codika', 'config.json');
}

export function emptyConfig(): Config {
  return { profiles: {} };
}

/** Checks the shape without being stricter than the public CLI: unknown fields pass. */
export function parseConfig(text: string, path: string): Config {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`Config file ${path} is not valid JSON (${(e as Error).message}).`).withHint(
      'Fix the file or move it away, then run `codika login` again. It was left untouched.',
    );
  }
  const corrupt = (why: string) =>
    new ConfigError(`Config file ${path} is corrupt: ${why}.`).withHint(
      'Fix the file or move it away, then run `codika login` again. It was left untouched.',
    );
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt('expected a JSON object');
  const obj = value as Record<string, unknown>;
  if (obj.profiles === undefined) obj.profiles = {};
  if (typeof obj.profiles !== 'object' || obj.profiles === null || Array.isArray(obj.profiles)) {
    throw corrupt('"profiles" must be an object');
  }
  if (obj.activeProfile !== undefined && obj.activeProfile !== null && typeof obj.activeProfile !== 'string') {
    throw corrupt('"activeProfile" must be a string');
  }
  if (obj.activeProfile === null) delete obj.activeProfile;
  for (const [name, profile] of Object.entries(obj.profiles as Record<string, unknown>)) {
    if (typeof profile !== 'object' || profile === null || typeof (profile as Profile).apiKey !== 'string') {
      throw corrupt(`profile "${name}" has no "apiKey" string`);
    }
    const p = profile as Profile;
    if (!Array.isArray(p.scopes)) p.scopes = [];
  }
  return obj as Config;
}

async function tighten(path: string, mode: number): Promise<void> {
  try {
    const s = await stat(path);
    if ((s.mode & 0o777 & ~mode) !== 0) await chmod(path, mode);
  } catch {
    // best effort: a file we cannot chmod is reported when written
  }
}

export class FileConfigStore implements ConfigStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async read(): Promise<Config> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return emptyConfig();
      throw new ConfigError(`Cannot read config file ${this.path}: ${(e as Error).message}`);
    }
    const config = parseConfig(text, this.path);
    await tighten(dirname(this.path), 0o700);
    await tighten(this.path, 0o600);
    return config;
  }

  async write(config: Config): Promise<void> {
    const dir = dirname(this.path);
    const tmp = join(dir, `.config.json.${Date.now().toString(36)}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await tighten(dir, 0o700);
      const handle = await open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(config, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw new ConfigError(`Cannot write config file ${this.path}: ${(e as Error).message}`);
    }
  }
}

/** "Acme Corp" → "acme-corp"; never empty. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'default';
}

/** `base`, or `base-2`, `base-3`, … whichever is free (or `reuse` says may be replaced). */
export function uniqueProfileName(config: Config, base: string, reuse: (p: Profile) => boolean = () => false): string {
  let name = base;
  for (let i = 2; ; i++) {
    const existing = config.profiles[name];
    if (existing === undefined || reuse(existing)) return name;
    name = `${base}-${i}`;
  }
}

export function profileNames(config: Config): string[] {
  return Object.keys(config.profiles).sort();
}
