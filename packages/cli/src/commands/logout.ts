/** `codika logout [name]`: remove a saved profile (default: the active one). */
import { unknownProfile } from '../api-context.js';
import { profileNames } from '../config-store.js';
import type { Deps } from '../deps.js';
import { ValidationError } from '../errors.js';
import { line } from '../output.js';
import type { CommandSpec, RawArgs } from '../spec.js';

export const spec: CommandSpec = {
  path: ['logout'],
  summary: 'Remove a saved profile and its key from this machine (default: the active one)',
  arguments: [{ name: 'name', description: 'Profile to remove (default: the active one)' }],
  options: [],
  notes: () => ['The key itself stays valid on the server; revoke it with `codika organization revoke-key`.'],
  examples: ['codika logout', 'codika logout acme-corp'],
};

export interface LogoutOptions {
  name?: string;
}

export function parse(raw: RawArgs): LogoutOptions {
  return raw.args[0] !== undefined ? { name: raw.args[0] } : {};
}

export async function run(o: LogoutOptions, deps: Deps): Promise<number> {
  const config = await deps.config.read();
  const name = o.name ?? config.activeProfile;
  if (name === undefined || name === '' || !config.profiles[name]) {
    if (o.name === undefined) throw new ValidationError('Not logged in: there is no active profile to remove.');
    throw unknownProfile(config, o.name);
  }
  delete config.profiles[name];
  let next: string | undefined;
  if (config.activeProfile === name) {
    next = profileNames(config)[0];
    if (next === undefined) delete config.activeProfile;
    else config.activeProfile = next;
  }
  await deps.config.write(config);
  line(deps.io.stdout, `Removed profile "${name}".`);
  if (next !== undefined) line(deps.io.stdout, `Active profile is now "${next}".`);
  else if (config.activeProfile === undefined) line(deps.io.stdout, 'No active profile left; run `codika login` to add one.');
  return 0;
}
