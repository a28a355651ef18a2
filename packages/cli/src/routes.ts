/**
 * The command table. Loading a command module is lazy: `codika X` imports only X.
 * Summaries are repeated here so that `codika --help` loads no command module.
 */
import type { CommandModule } from './spec.js';

export interface Route {
  path: readonly string[];
  summary: string;
  load: () => Promise<CommandModule<never>>;
}

type Loader = () => Promise<unknown>;
const route = (path: string[], summary: string, load: Loader): Route => ({
  path,
  summary,
  load: load as () => Promise<CommandModule<never>>,
});

export const ROUTES: readonly Route[] = [
  route(['login'], 'Verify an API key and save it as the active profile', () => import('./commands/login.js')),
  route(['whoami'], 'Show the organization, key and scopes of the API key in use', () => import('./commands/whoami.js')),
  route(['use'], 'List saved profiles, or switch the active one', () => import('./commands/use.js')),
  route(['logout'], 'Remove a saved profile (default: the active one)', () => import('./commands/logout.js')),
  route(['config', 'set'], 'Save an API key as a profile (same as login)', () =>
    import('./commands/config.js').then((m) => m.set),
  ),
  route(['config', 'show'], 'Show the config file and its profiles (keys masked)', () =>
    import('./commands/config.js').then((m) => m.show),
  ),
  route(['config', 'clear'], 'Remove one profile, or all of them', () => import('./commands/config.js').then((m) => m.clear)),
  route(['organization', 'create-key'], 'Create an organization API key', () => import('./commands/organization/create-key.js')),
  route(
    ['organization', 'update-key'],
    'Update the scopes, name or description of an organization API key',
    () => import('./commands/organization/update-key.js'),
  ),
  route(
    ['organization', 'list-keys'],
    'List the API keys of an organization',
    () => import('./commands/organization/list-keys.js'),
  ),
  route(['organization', 'revoke-key'], 'Revoke an organization API key', () => import('./commands/organization/revoke-key.js')),
  route(['completion'], 'Print a shell completion script (bash, zsh, fish)', () => import('./commands/completion.js')),
];

export const GROUPS: Readonly<Record<string, string>> = {
  config: 'Manage the saved configuration',
  organization: 'Manage organization API keys',
};
