/** `codika use [name]`: list the saved profiles (active one marked), or switch the active one. */
import { unknownProfile } from '../api-context.js';
import type { Config, Profile } from '../config-store.js';
import { profileNames } from '../config-store.js';
import type { Deps } from '../deps.js';
import { colorsFor, formatScopes, formatTable, line, writeJson } from '../output.js';
import { bool, type CommandSpec, type RawArgs } from '../spec.js';

export const spec: CommandSpec = {
  path: ['use'],
  summary: 'List saved profiles (the active one marked with *), or switch the active profile',
  arguments: [{ name: 'name', description: 'Profile to make active' }],
  options: [{ flags: '--json', description: 'Output as JSON' }],
  examples: ['codika use', 'codika use acme-corp', 'codika use --json'],
};

export interface UseOptions {
  name?: string;
  json: boolean;
}

export function parse(raw: RawArgs): UseOptions {
  const o: UseOptions = { json: bool(raw, 'json') };
  if (raw.args[0] !== undefined) o.name = raw.args[0];
  return o;
}

/**
 * The key's display prefix: the profile's keyPrefix, else the key's first 8 characters (the
 * public CLI saves keyPrefix only when the server sent one).
 */
export function prefixOf(p: Profile): string {
  return typeof p.keyPrefix === 'string' && p.keyPrefix !== '' ? p.keyPrefix : String(p.apiKey ?? '').slice(0, 8);
}

export function profileList(config: Config) {
  return profileNames(config).map((name) => {
    const p = config.profiles[name]!;
    return {
      name,
      organizationId: p.organizationId,
      organizationName: p.organizationName,
      scopes: p.scopes,
      keyPrefix: prefixOf(p),
      active: config.activeProfile === name,
    };
  });
}

export async function run(o: UseOptions, deps: Deps): Promise<number> {
  const config = await deps.config.read();
  const out = deps.io.stdout;
  if (o.name !== undefined) {
    if (!config.profiles[o.name]) throw unknownProfile(config, o.name);
    config.activeProfile = o.name;
    await deps.config.write(config);
    if (o.json) writeJson(out, profileList(config));
    else {
      const p = config.profiles[o.name]!;
      line(out, `Active profile: ${o.name} (${p.organizationName || 'unknown organization'}, ${prefixOf(p)}…)`);
    }
    return 0;
  }
  const list = profileList(config);
  if (o.json) {
    writeJson(out, list);
    return 0;
  }
  if (list.length === 0) {
    line(out, 'No profiles saved. Run `codika login` to add one.');
    return 0;
  }
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  // Columns aligned whatever the fields' lengths (profiles the public CLI wrote may lack some).
  const rows = formatTable(
    list.map((p) => [
      `${p.active ? '*' : ' '} ${p.name}`,
      p.organizationName || '-',
      `${p.keyPrefix}…`,
      formatScopes(Array.isArray(p.scopes) ? p.scopes : []),
    ]),
  );
  for (const row of rows) line(out, row.startsWith('*') ? c.green(row) : row);
  return 0;
}
