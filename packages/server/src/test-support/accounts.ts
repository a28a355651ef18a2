/** Route-test helpers for the e-mailed-code operations. */
import { OPERATIONS } from '@codika/contract/operations';
import { expect } from 'vitest';
import type { MailMessage } from '../accounts/mailer.js';
import type { CallOptions, TestApp } from './http.js';
import { codeIn } from './smtp.js';

export const REQUEST_SIGNUP = OPERATIONS.requestSignupCode.path;
export const COMPLETE_SIGNUP = OPERATIONS.completeSignup.path;
export const REQUEST_LOGIN = OPERATIONS.requestLoginCode.path;
export const COMPLETE_LOGIN = OPERATIONS.completeLogin.path;
export const CREATE_ORGANIZATION = OPERATIONS.createOrganization.path;

/** Request a code and return it from the app's outbox (fails the test when none came). */
export async function requestCode(
  t: TestApp,
  purpose: 'signup' | 'login',
  email: string,
  options?: CallOptions,
): Promise<string> {
  const before = t.outbox.messages.length;
  const res = await t.call(purpose === 'signup' ? REQUEST_SIGNUP : REQUEST_LOGIN, { email }, options);
  expect(res.status, res.text).toBe(200);
  const mail = t.outbox.messages.slice(before).find((m) => m.to === email.trim().toLowerCase());
  const code = mail === undefined ? undefined : codeIn(mail.text);
  if (code === undefined) throw new Error(`no code mailed to ${email}: ${mail?.text ?? '(no mail)'}`);
  return code;
}

/** A code that is not `code`. */
export function wrongCode(code: string, i = 0): string {
  const n = (Number(code) + 1 + i) % 1_000_000;
  return String(n === Number(code) ? (n + 1) % 1_000_000 : n).padStart(6, '0');
}

/** Mails with something that looks like a code. */
export function mailsWithCode(messages: readonly MailMessage[]): MailMessage[] {
  return messages.filter((m) => /\b\d{6}\b/.test(m.text) || /\b\d{6}\b/.test(m.gist));
}
