/** `codika auth signup-request`: e-mail a one-time sign-up code (the public Codika CLI's command). */
import type { Deps } from '../../deps.js';
import {
  API_URL_OPTION,
  BASE_URL_OPTION,
  type CodeRequestOptions,
  JSON_OPTION,
  parseCodeRequest,
  runCodeRequest,
} from '../../sign-in.js';
import type { CommandSpec } from '../../spec.js';

export const spec: CommandSpec = {
  path: ['auth', 'signup-request'],
  summary: 'E-mail a 6-digit code to sign up with (then run `codika auth signup-complete`)',
  options: [
    { flags: '--email <email>', description: 'E-mail address to register (required)' },
    BASE_URL_OPTION,
    API_URL_OPTION,
    JSON_OPTION,
  ],
  notes: () => ['The server answers alike whether or not the address already has an account.'],
  examples: ['codika auth signup-request --email ada@example.com', 'codika auth signup-request --email ada@example.com --json'],
};

export const parse = parseCodeRequest;

export function run(o: CodeRequestOptions, deps: Deps): Promise<number> {
  return runCodeRequest('signup', o, deps);
}
