/** `codika organization revoke-key`: revoke a key; asks for confirmation on a terminal unless --yes. */
import type { RevokeKeyData } from '@codika/contract/schemas';
import { type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { CancelledError, ValidationError } from '../../errors.js';
import { colorsFor, line, writeJson } from '../../output.js';
import { callOperation } from '../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, type RawArgs, str } from '../../spec.js';

export const spec: CommandSpec = {
  path: ['organization', 'revoke-key'],
  summary: 'Revoke an organization API key: it stops authenticating at once',
  options: [
    { flags: '--key-id <id>', description: 'Key ID to revoke (required)' },
    { flags: '-y, --yes', description: 'Do not ask for confirmation (required when stdin is not a terminal)' },
    ...API_OPTIONS,
  ],
  examples: ['codika organization revoke-key --key-id abc123', 'codika organization revoke-key --key-id abc123 --yes --json'],
};

export interface RevokeKeyOptions {
  keyId: string;
  yes: boolean;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): RevokeKeyOptions {
  const keyId = str(raw, 'keyId');
  if (keyId === undefined) throw new ValidationError("Missing required option '--key-id <id>'.");
  if (keyId.trim() === '') throw new ValidationError('--key-id must not be empty.');
  return { keyId: keyId.trim(), yes: bool(raw, 'yes'), json: bool(raw, 'json'), api: apiFlags(raw) };
}

export async function run(o: RevokeKeyOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  if (!o.yes) {
    if (!deps.io.stdinIsTTY) {
      throw new ValidationError('Refusing to revoke without confirmation: stdin is not a terminal, pass --yes.');
    }
    const ok = await deps.prompter.confirm(`Revoke API key ${o.keyId}? It stops working at once; this cannot be undone.`);
    if (!ok) throw new CancelledError('Cancelled: the key was not revoked.');
  }
  const envelope = await callOperation<RevokeKeyData>(deps, ctx, 'revokeKey', { keyId: o.keyId }, 'Revoking API key…');
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  line(deps.io.stdout, `${c.green('✓')} API key revoked`);
  line(deps.io.stdout, `Key ID: ${envelope.data.keyId}`);
  line(deps.io.stdout, `Revoked at: ${envelope.data.revokedAt}`);
  return 0;
}
