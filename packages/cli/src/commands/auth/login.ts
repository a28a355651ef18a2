/**
 * `codika auth login`: the one-step sign-in a person uses — send a code to the address, ask for it
 * with hidden input, create a fresh key and save it as the active profile. When the account is in
 * several organizations, the person picks one from a list (on a terminal) and the same code
 * completes the sign-in. Scripts use `auth login-request` and `auth login-complete`.
 */

import type { SuccessEnvelope } from '@codika/contract/errors';
import { OPERATIONS } from '@codika/contract/operations';
import type { SignedInData } from '@codika/contract/schemas';
import { organizationsOf } from '../../api-hints.js';
import type { Deps } from '../../deps.js';
import { ApiError, CancelledError, ValidationError } from '../../errors.js';
import { line } from '../../output.js';
import {
  BASE_URL_OPTION,
  completeSignIn,
  expiresIn,
  JSON_OPTION,
  PROFILE_NAME_OPTION,
  resolveServer,
  type Server,
  type ServerFlags,
  saveSignedIn,
  sendCode,
  serverFlags,
} from '../../sign-in.js';
import {
  bool,
  type CommandSpec,
  checkCode,
  checkEmail,
  checkId,
  checkProfileName,
  codeProblem,
  type RawArgs,
  str,
} from '../../spec.js';

export const spec: CommandSpec = {
  path: ['auth', 'login'],
  summary: 'Sign in by e-mail in one step: sends a code, asks for it (hidden), saves a fresh API key as the active profile',
  options: [
    { flags: '--email <email>', description: 'E-mail address of your account (required)' },
    { flags: '--code <code>', description: 'A 6-digit code you already have (no new code is sent)' },
    {
      flags: '--organization-id <id>',
      description: 'Organization to create the key in (asked on a terminal when the account has several)',
    },
    BASE_URL_OPTION,
    PROFILE_NAME_OPTION,
    JSON_OPTION,
  ],
  notes: () => [
    'Without a terminal there is nothing to ask on: pass --code, or run `codika auth login-request` and then `codika auth login-complete`.',
    '`codika login` (without auth) saves an API key you already have instead.',
  ],
  examples: [
    'codika auth login --email ada@example.com',
    'codika auth login --email ada@example.com --base-url https://codika.example.com --name work',
  ],
};

export interface AuthLoginOptions {
  email: string;
  code?: string;
  organizationId?: string;
  name?: string;
  server: ServerFlags;
  json: boolean;
}

export function parse(raw: RawArgs): AuthLoginOptions {
  const email = str(raw, 'email');
  if (email === undefined) throw new ValidationError("Missing required option '--email <email>'.");
  const o: AuthLoginOptions = { email: checkEmail(email, '--email'), server: serverFlags(raw), json: bool(raw, 'json') };
  const code = str(raw, 'code');
  const organizationId = str(raw, 'organizationId');
  const name = str(raw, 'name');
  if (code !== undefined) o.code = checkCode(code, '--code');
  if (organizationId !== undefined) o.organizationId = checkId(organizationId, '--organization-id');
  if (name !== undefined) o.name = checkProfileName(name, '--name');
  return o;
}

const CODE_ATTEMPTS = 3;

/** Asks for the code with hidden input; a mistyped shape (not 6 digits) is asked again, up to 3 times. */
async function askCode(deps: Deps): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const answer = await deps.prompter.password('6-digit code from the e-mail (input hidden)');
    if (answer === undefined) throw new CancelledError('Cancelled: no code entered, no key created.');
    const why = codeProblem(answer);
    if (why === undefined) return answer.trim();
    if (attempt === CODE_ATTEMPTS) throw new ValidationError(`The code ${why}.`);
    line(deps.io.stderr, `That is not the code: it ${why}. Try again.`);
  }
}

/** Completes the sign-in; on MULTIPLE_ORGANIZATIONS at a terminal, lets the person choose and completes with the same code. */
async function complete(o: AuthLoginOptions, code: string, server: Server, deps: Deps): Promise<SuccessEnvelope<SignedInData>> {
  const body: Record<string, unknown> = { email: o.email, code };
  if (o.organizationId !== undefined) body.organizationId = o.organizationId;
  try {
    return await completeSignIn('login', body, server, deps);
  } catch (error) {
    const choices = error instanceof ApiError && error.code === 'MULTIPLE_ORGANIZATIONS' ? organizationsOf(error) : [];
    if (choices.length === 0 || o.organizationId !== undefined || !deps.io.stdinIsTTY) throw error;
    const chosen = await deps.prompter.select(
      'Your account belongs to several organizations. Create the key in:',
      choices.map((org) => ({ value: org.id, label: org.name, hint: org.id })),
    );
    if (chosen === undefined) throw new CancelledError('Cancelled: no organization chosen, no key created.');
    return completeSignIn('login', { ...body, organizationId: chosen }, server, deps);
  }
}

export async function run(o: AuthLoginOptions, deps: Deps): Promise<number> {
  if (o.code === undefined && !deps.io.stdinIsTTY) {
    throw new ValidationError(
      `No code: stdin is not a terminal, so there is nothing to ask on. Pass --code <code> (from the e-mail), or run \`codika auth login-request --email ${o.email}\` and then \`codika auth login-complete --email ${o.email} --code <code>\`.`,
    );
  }
  const server = await resolveServer(o.server, OPERATIONS.completeLogin.path, deps);
  let code = o.code;
  if (code === undefined) {
    const sent = await sendCode('login', o.email, server, deps);
    line(deps.io.stderr, `Code sent to ${sent.data.email}; it expires in ${expiresIn(sent.data.expiresInSeconds)}.`);
    code = await askCode(deps);
  }
  return saveSignedIn('login', await complete(o, code, server, deps), o, server, deps);
}
