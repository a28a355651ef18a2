/**
 * E-mailed one-time codes: 6 digits drawn with crypto.randomInt, stored only as a salted hash
 * (HMAC-SHA256 keyed by 16 random bytes of their own, over the purpose, the address and the
 * code), compared in constant time. A code of one purpose or address never matches another's.
 *
 * What the hash does and does not do: a copy of the database (a backup, a dump) holds no code
 * in the clear; but a 6-digit code has only a million values, so whoever can read the table can
 * find a pending code by trying them all. Codes live 10 minutes; see docs/security.md.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { CODE_DIGITS } from '@codika/contract/operations';
import type { CodePurpose } from '../store/types.js';

const VERSION = 'v1';

/** Wrong tries after which a code is burned. */
export const MAX_CODE_ATTEMPTS = 5;
const SALT_BYTES = 16;

/** A fresh code: CODE_DIGITS decimal digits, uniformly drawn. */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

function mac(salt: Buffer, code: string, bind: { email: string; purpose: CodePurpose }): Buffer {
  return createHmac('sha256', salt).update(`${bind.purpose}\n${bind.email}\n${code}`, 'utf8').digest();
}

/** The stored form of a code: `v1$<salt>$<hmac>` (base64url). */
export function hashCode(code: string, bind: { email: string; purpose: CodePurpose }): string {
  const salt = randomBytes(SALT_BYTES);
  return `${VERSION}$${salt.toString('base64url')}$${mac(salt, code, bind).toString('base64url')}`;
}

/** Whether `code` is the code behind `stored`, compared in constant time. */
export function codeMatches(code: string, stored: string, bind: { email: string; purpose: CodePurpose }): boolean {
  const [version, saltText, macText] = stored.split('$');
  if (version !== VERSION || saltText === undefined || macText === undefined) return false;
  const expected = Buffer.from(macText, 'base64url');
  const actual = mac(Buffer.from(saltText, 'base64url'), code, bind);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
