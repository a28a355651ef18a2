/**
 * The API key format: `<kind prefix>` + 22 base62 characters of randomness (≈131 bits)
 * + 6 base62 characters of CRC32 checksum over everything before it.
 *
 *   cko_3f9Kx0aQ7LmN2pR4sT6uVw1yZb   (32 characters)
 *   ^^^^ kind  ^^^^^^^^^^^^^^^^^^^^^^ random  ^^^^^^ checksum
 *
 * The checksum lets both the CLI and the server refuse a mistyped or truncated key
 * without a database lookup. Only node built-ins are used, so the CLI can import this
 * at start-up cheaply: the checksum is computed here (CRC-32, the IEEE polynomial of zlib's
 * crc32) rather than by loading node:zlib, and node:crypto is loaded only when a key is
 * generated (loading both cost the CLI ~10 ms per run).
 */
import { createRequire } from 'node:module';

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const KEY_KINDS = {
  cko_: 'org-api-key',
  ckp_: 'personal-api-key',
  cka_: 'admin-api-key',
} as const;

export type KeyKindPrefix = keyof typeof KEY_KINDS;
export type KeyType = (typeof KEY_KINDS)[KeyKindPrefix];

export const RANDOM_LENGTH = 22;
export const CHECKSUM_LENGTH = 6;
export const KEY_LENGTH = 4 + RANDOM_LENGTH + CHECKSUM_LENGTH;
/** How many leading characters of a key are shown in displays and stored in clear. */
export const DISPLAY_PREFIX_LENGTH = 8;

const KEY_PATTERN = /^(cko_|ckp_|cka_)([0-9A-Za-z]{22})([0-9A-Za-z]{6})$/;

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, reflected 0xEDB88320), equal to zlib's crc32 of the UTF-8 bytes; keys are ASCII. */
export function crc32(text: string): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const bytes = Buffer.from(text, 'utf8');
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (crcTable[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

let randomBytesFn: ((size: number) => Buffer) | undefined;

function randomBytes(size: number): Buffer {
  randomBytesFn ??= (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).randomBytes;
  return randomBytesFn(size);
}

function encodeChecksum(value: number): string {
  let n = value >>> 0;
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export function checksumOf(body: string): string {
  return encodeChecksum(crc32(body));
}

/** Uniform base62 characters by rejection sampling (bytes ≥ 248 are discarded). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = randomBytes(length * 2);
    for (const b of bytes) {
      if (b < 248) {
        out += BASE62[b % 62];
        if (out.length === length) break;
      }
    }
  }
  return out;
}

export function generateKey(kind: KeyKindPrefix = 'cko_'): string {
  const body = kind + randomBase62(RANDOM_LENGTH);
  return body + checksumOf(body);
}

export type ParsedKey =
  | { ok: true; kind: KeyKindPrefix; type: KeyType; prefix: string }
  | { ok: false; reason: 'format' | 'checksum' };

/** Check the shape and the checksum of a raw key; never touches storage. */
export function parseKey(raw: string): ParsedKey {
  const m = KEY_PATTERN.exec(raw);
  if (!m) return { ok: false, reason: 'format' };
  const kind = m[1] as KeyKindPrefix;
  const body = kind + (m[2] as string);
  if (checksumOf(body) !== m[3]) return { ok: false, reason: 'checksum' };
  return { ok: true, kind, type: KEY_KINDS[kind], prefix: raw.slice(0, DISPLAY_PREFIX_LENGTH) };
}

/** The masked form used everywhere a key is displayed: `cko_aB12…`. */
export function maskKey(raw: string): string {
  return `${raw.slice(0, DISPLAY_PREFIX_LENGTH)}…`;
}
