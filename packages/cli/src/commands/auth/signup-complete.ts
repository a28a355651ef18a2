/**
 * `codika auth signup-complete`: sign up with the e-mailed code — the server creates the user, an
 * organization they own and a key — and save the key as the active profile (the public Codika
 * CLI's command).
 */
import { DEFAULT_ORGANIZATION_NAME } from '@codika/contract/operations';
import { ORGANIZATION_DESCRIPTION_MAX, ORGANIZATION_NAME_MAX } from '@codika/contract/rules';
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
import { type CommandSpec, checkDescription, checkName, type RawArgs, str } from '../../spec.js';

export const spec: CommandSpec = {
  path: ['auth', 'signup-complete'],
  summary: 'Sign up with the e-mailed code: creates your organization and an API key, saved as the active profile',
  options: [
    { flags: '--email <email>', description: 'E-mail address that received the code (required)' },
    { flags: '--code <code>', description: '6-digit code from the e-mail (required)' },
    { flags: '--company <name>', description: 'Organization name', default: DEFAULT_ORGANIZATION_NAME },
    { flags: '--description <text>', description: 'Organization description' },
    ...KEY_OPTIONS,
    BASE_URL_OPTION,
    API_URL_OPTION,
    PROFILE_NAME_OPTION,
    JSON_OPTION,
  ],
  notes: () => [
    'The raw key is saved in the profile and never printed; `codika whoami` shows what it can do.',
    'Send the code first with `codika auth signup-request --email <email>`.',
  ],
  examples: [
    'codika auth signup-complete --email ada@example.com --code 123456 --company "Acme Corp"',
    'codika auth signup-complete --email ada@example.com --code 123456 --key-name laptop --key-expires-in 90 --json',
  ],
};

export interface SignupCompleteOptions extends CompletionOptions {
  company?: string;
  description?: string;
}

export function parse(raw: RawArgs): SignupCompleteOptions {
  const o: SignupCompleteOptions = parseCompletion(raw);
  const company = str(raw, 'company');
  const description = str(raw, 'description');
  if (company !== undefined) o.company = checkName(company, '--company', ORGANIZATION_NAME_MAX);
  if (description !== undefined) o.description = checkDescription(description, '--description', ORGANIZATION_DESCRIPTION_MAX);
  return o;
}

export function run(o: SignupCompleteOptions, deps: Deps): Promise<number> {
  // As the public CLI sends it: `company` only with a name or a (non-empty) description.
  const company: Record<string, unknown> = {};
  if (o.company !== undefined) company.name = o.company;
  if (o.description) company.description = o.description;
  return runCompletion('signup', o, Object.keys(company).length > 0 ? { company } : {}, deps);
}
