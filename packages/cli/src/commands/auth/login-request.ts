/** `codika auth login-request`: e-mail a one-time sign-in code (the public Codika CLI's command). */
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
  path: ['auth', 'login-request'],
  summary: 'E-mail a 6-digit code to sign in with (then run `codika auth login-complete`)',
  options: [
    { flags: '--email <email>', description: 'E-mail address of the existing account (required)' },
    BASE_URL_OPTION,
    API_URL_OPTION,
    JSON_OPTION,
  ],
  notes: () => ['The server answers alike whether or not the address has an account; only an existing account gets a code.'],
  examples: ['codika auth login-request --email ada@example.com', 'codika auth login-request --email ada@example.com --json'],
};

export const parse = parseCodeRequest;

export function run(o: CodeRequestOptions, deps: Deps): Promise<number> {
  return runCodeRequest('login', o, deps);
}
