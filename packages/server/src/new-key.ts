/**
 * A new key before it is stored: its id, its raw form (answered or printed this once), the
 * forms the store keeps (hash, display prefix), its name, description and times. Every path
 * that makes a key starts here — the API (routes/create-key.ts), the operator CLI
 * (commands/operator.ts, the first start), sign-up and sign-in (accounts/minting.ts), the
 * tests (test-support/http.ts) — and ends in the store's insertKey (store/key-rows.ts), which
 * adds the organization, the creator and the scopes and writes the key's audit row.
 */
import { iso } from './clock.js';
import { newId } from './ids.js';
import { mintOrgKey } from './secrets.js';
import type { MintedKeyInput } from './store/types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface NewKey {
  input: MintedKeyInput;
  /** The raw key: it leaves the server this once. */
  rawKey: string;
}

export function newKey(
  fields: { name: string; description: string; expiresInDays?: number | null | undefined },
  now: Date,
): NewKey {
  const minted = mintOrgKey();
  const { expiresInDays } = fields;
  return {
    rawKey: minted.rawKey,
    input: {
      id: newId(),
      name: fields.name,
      description: fields.description,
      prefix: minted.prefix,
      hash: minted.hash,
      createdAt: iso(now),
      expiresAt:
        expiresInDays === undefined || expiresInDays === null ? null : iso(new Date(now.getTime() + expiresInDays * DAY_MS)),
    },
  };
}
