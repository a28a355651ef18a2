/**
 * `codika auth login-complete`: sign in with the e-mailed code — the server mints a fresh key in
 * one of your organizations — and save the key as the active profile (the public Codika CLI's
 * command). An account in several organizations needs `--organization-id`; without it the server
 * answers MULTIPLE_ORGANIZATIONS with the list, which is printed.
 */
import type { Deps } from '../../deps.js';
import {
  API_URL_OPTION,
  BASE_URL_OPTION,
  type CompletionOptions,
  JSON_OPTION,
  KEY_OPTIONS,
  PROFILE_NAME_OPTION,
  parseCompletion,
  runCompletion,
} from '../../sign-in.js';
import { type CommandSpec, checkId, type RawArgs, str } from '../../spec.js';

export const spec: CommandSpec = {
  path: ['auth', 'login-complete'],
  summary: 'Sign in with the e-mailed code: a fresh API key, saved as the active profile',
  options: [
    { flags: '--email <email>', description: 'E-mail address that received the code (required)' },
    { flags: '--code <code>', description: '6-digit code from the e-mail (required)' },
    {
      flags: '--organization-id <id>',
      description: 'Organization to create the key in (required when the account has several)',
    },
    ...KEY_OPTIONS,
    BASE_URL_OPTION,
    API_URL_OPTION,
    PROFILE_NAME_OPTION,
    JSON_OPTION,
  ],
  notes: () => [
    'The raw key is saved in the profile and never printed. Send the code first with `codika auth login-request --email <email>`; or do both in one step with `codika auth login`.',
  ],
  examples: [
    'codika auth login-complete --email ada@example.com --code 123456',
    'codika auth login-complete --email ada@example.com --code 123456 --organization-id 019d… --json',
  ],
};

export interface LoginCompleteOptions extends CompletionOptions {
  organizationId?: string;
}

export function parse(raw: RawArgs): LoginCompleteOptions {
  const o: LoginCompleteOptions = parseCompletion(raw);
  const organizationId = str(raw, 'organizationId');
  if (organizationId !== undefined) o.organizationId = checkId(organizationId, '--organization-id');
  return o;
}

export function run(o: LoginCompleteOptions, deps: Deps): Promise<number> {
  return runCompletion('login', o, o.organizationId !== undefined ? { organizationId: o.organizationId } : {}, deps);
}
