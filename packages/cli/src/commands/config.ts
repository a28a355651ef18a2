/**
 * `codika config set | show | clear`. `set` is `login` under another name; `show` lists the
 * profiles with masked keys; `clear` removes one profile (--profile) or all of them.
 */
import { maskKey } from '@codika/contract/keys';
import { unknownProfile } from '../api-context.js';
import { profileNames } from '../config-store.js';
import type { Deps } from '../deps.js';
import { line, writeJson } from '../output.js';
import { bool, type CommandModule, type CommandSpec, type RawArgs, str } from '../spec.js';
import * as login from './login.js';

export const set: CommandModule<login.LoginOptions> = {
  spec: { ...login.spec, path: ['config', 'set'], summary: 'Save an API key as a profile (same as `codika login`)' },
  parse: login.parse,
  run: login.run,
};

interface ShowOptions {
  profile?: string;
  json: boolean;
}

const showSpec: CommandSpec = {
  path: ['config', 'show'],
  summary: 'Show the config file path and the saved profiles (keys masked)',
  options: [
    { flags: '--profile <name>', description: 'Show only this profile' },
    { flags: '--json', description: 'Output as JSON' },
  ],
  examples: ['codika config show', 'codika config show --profile acme-corp --json'],
};

export const show: CommandModule<ShowOptions> = {
  spec: showSpec,
  parse(raw: RawArgs): ShowOptions {
    const o: ShowOptions = { json: bool(raw, 'json') };
    const profile = str(raw, 'profile');
    if (profile !== undefined) o.profile = profile;
    return o;
  },
  async run(o, deps: Deps) {
    const config = await deps.config.read();
    let names = profileNames(config);
    if (o.profile !== undefined) {
      if (!config.profiles[o.profile]) throw unknownProfile(config, o.profile);
      names = [o.profile];
    }
    const profiles = Object.fromEntries(
      names.map((n) => {
        const p = config.profiles[n]!;
        return [n, { ...p, apiKey: maskKey(p.apiKey) }];
      }),
    );
    if (o.json) {
      writeJson(deps.io.stdout, { path: deps.config.path, activeProfile: config.activeProfile ?? null, profiles });
      return 0;
    }
    const out = deps.io.stdout;
    line(out, `Config file: ${deps.config.path}`);
    line(out, `Active profile: ${config.activeProfile ?? '(none)'}`);
    if (names.length === 0) {
      line(out, 'No profiles saved. Run `codika login` to add one.');
      return 0;
    }
    for (const n of names) {
      const p = profiles[n]!;
      line(out, '');
      line(out, `[${n}]${config.activeProfile === n ? ' (active)' : ''}`);
      line(out, `  API key: ${p.apiKey}`);
      line(out, `  Type: ${p.type}`);
      line(out, `  Organization: ${p.organizationName || '-'}${p.organizationId ? ` (${p.organizationId})` : ''}`);
      line(out, `  Key name: ${p.keyName || '-'}`);
      line(out, `  Scopes: ${p.scopes.length > 0 ? p.scopes.join(', ') : '(unknown)'}`);
      line(out, `  Server: ${p.baseUrl ?? '(default)'}`);
      line(out, `  Created: ${p.createdAt || '-'}`);
      if (p.expiresAt) line(out, `  Expires: ${p.expiresAt}`);
    }
    return 0;
  },
};

interface ClearOptions {
  profile?: string;
}

export const clear: CommandModule<ClearOptions> = {
  spec: {
    path: ['config', 'clear'],
    summary: 'Remove one saved profile (--profile), or all of them',
    options: [{ flags: '--profile <name>', description: 'Remove only this profile', default: 'all profiles' }],
    notes: () => ['Keys stay valid on the server; revoke them with `codika organization revoke-key`.'],
    examples: ['codika config clear --profile old-org', 'codika config clear'],
  },
  parse(raw: RawArgs): ClearOptions {
    const profile = str(raw, 'profile');
    return profile !== undefined ? { profile } : {};
  },
  async run(o, deps: Deps) {
    const config = await deps.config.read();
    const names = profileNames(config);
    if (o.profile !== undefined) {
      if (!config.profiles[o.profile]) throw unknownProfile(config, o.profile);
      delete config.profiles[o.profile];
      if (config.activeProfile === o.profile) delete config.activeProfile;
      await deps.config.write(config);
      line(deps.io.stdout, `Removed profile "${o.profile}".`);
      if (config.activeProfile === undefined && profileNames(config).length > 0) {
        line(deps.io.stdout, 'No active profile now; pick one with `codika use <name>`.');
      }
      return 0;
    }
    config.profiles = {};
    delete config.activeProfile;
    await deps.config.write(config);
    line(
      deps.io.stdout,
      names.length > 0 ? `Removed ${names.length} profile(s): ${names.join(', ')}.` : 'No profiles to remove.',
    );
    return 0;
  },
};
