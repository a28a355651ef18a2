/**
 * The command table: each command's words, the one-line summary of the command list (shorter
 * than the summary in the command's own spec), and its module.
 */
import * as authLogin from './commands/auth/login.js';
import * as loginComplete from './commands/auth/login-complete.js';
import * as loginRequest from './commands/auth/login-request.js';
import * as signupComplete from './commands/auth/signup-complete.js';
import * as signupRequest from './commands/auth/signup-request.js';
import * as completion from './commands/completion.js';
import * as config from './commands/config.js';
import * as login from './commands/login.js';
import * as logout from './commands/logout.js';
import * as audit from './commands/organization/audit.js';
import * as createOrganization from './commands/organization/create.js';
import * as createKey from './commands/organization/create-key.js';
import * as listKeys from './commands/organization/list-keys.js';
import * as addMember from './commands/organization/members/add.js';
import * as listMembers from './commands/organization/members/list.js';
import * as removeMember from './commands/organization/members/remove.js';
import * as setRole from './commands/organization/members/set-role.js';
import * as revokeKey from './commands/organization/revoke-key.js';
import * as rotateKey from './commands/organization/rotate-key.js';
import * as settings from './commands/organization/settings.js';
import * as updateKey from './commands/organization/update-key.js';
import * as use from './commands/use.js';
import * as whoami from './commands/whoami.js';
import type { CommandModule } from './spec.js';

export interface Route {
  path: readonly string[];
  summary: string;
  module: CommandModule<never>;
}

const route = <O>(path: string[], summary: string, module: CommandModule<O>): Route => ({
  path,
  summary,
  module: module as CommandModule<never>,
});

/** completion writes its script from the table below (passed in, so it need not import this file). */
const completionCommand: CommandModule<completion.CompletionOptions> = {
  spec: completion.spec,
  parse: completion.parse,
  run: (o, deps) =>
    completion.run(
      o,
      deps,
      ROUTES.map((r) => r.module.spec),
    ),
};

/** `codika profiles`: the public CLI's other name for `codika use`. */
const profilesCommand: CommandModule<use.UseOptions> = {
  spec: {
    ...use.spec,
    path: ['profiles'],
    summary: 'Same as `codika use`: list saved profiles (the active one marked with *), or switch the active profile',
    examples: ['codika profiles', 'codika profiles acme-corp'],
  },
  parse: use.parse,
  run: use.run,
};

export const ROUTES: readonly Route[] = [
  route(['login'], 'Verify an API key and save it as the active profile', login),
  route(['whoami'], 'Show the organization, key and scopes of the API key in use', whoami),
  route(['use'], 'List saved profiles, or switch the active one', use),
  route(['profiles'], 'Same as use', profilesCommand),
  route(['logout'], 'Remove a saved profile (default: the active one)', logout),
  route(['auth', 'login'], 'Sign in by e-mail in one step (sends a code, asks for it)', authLogin),
  route(['auth', 'signup-request'], 'E-mail a sign-up code', signupRequest),
  route(['auth', 'signup-complete'], 'Sign up with the e-mailed code; save the new key as a profile', signupComplete),
  route(['auth', 'login-request'], 'E-mail a sign-in code', loginRequest),
  route(['auth', 'login-complete'], 'Sign in with the e-mailed code; save a fresh key as a profile', loginComplete),
  route(['config', 'set'], 'Save an API key as a profile (same as login)', config.set),
  route(['config', 'show'], 'Show the config file and its profiles (keys masked)', config.show),
  route(['config', 'clear'], 'Remove one profile, or all of them', config.clear),
  route(['organization', 'create'], 'Create an organization (you become its owner)', createOrganization),
  route(['organization', 'create-key'], 'Create an organization API key', createKey),
  route(
    ['organization', 'update-key'],
    'Update the scopes, name, description, expiry, state or IP allowlist of an organization API key',
    updateKey,
  ),
  route(['organization', 'list-keys'], 'List the API keys of an organization', listKeys),
  route(['organization', 'revoke-key'], 'Revoke an organization API key', revokeKey),
  route(
    ['organization', 'rotate-key'],
    'Rotate an organization API key (a new secret, the old one works for a grace period)',
    rotateKey,
  ),
  route(['organization', 'settings'], "Show or change the organization's settings (maximum key lifetime)", settings),
  route(['organization', 'members', 'list'], 'List the members, their roles and live keys', listMembers),
  route(['organization', 'members', 'add'], 'Add a person by e-mail, with a role', addMember),
  route(['organization', 'members', 'set-role'], "Change a member's role", setRole),
  route(['organization', 'members', 'remove'], 'Remove a member; their keys are revoked', removeMember),
  route(['organization', 'audit'], "Show the organization's audit log (filters, --all, --ndjson)", audit),
  route(['completion'], 'Print a shell completion script (bash, zsh, fish)', completionCommand),
];

export const GROUPS: Readonly<Record<string, string>> = {
  auth: 'Sign up and sign in with a code sent by e-mail',
  config: 'Manage the saved configuration',
  organization: 'Manage organizations, their API keys and members',
  'organization members': 'Manage the people of the organization and their roles',
};
