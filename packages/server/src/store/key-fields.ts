/** A key's fields as `previous`, update answers and audit rows show them, picked out of a record that carries more. */
import type { ApiKeyRecord, KeyFields } from './types.js';

/**
 * Exactly the name, description and scopes (a copy of the list), and the lifecycle fields that
 * are not at their default: `expiresAt` when the key expires, `enabled: false` when disabled,
 * `allowedIps` when it has an allowlist. Takes a stored record or fields already picked.
 */
export function fieldsOf(key: KeyFields | ApiKeyRecord): KeyFields {
  const fields: KeyFields = { name: key.name, description: key.description, scopes: [...key.scopes] };
  if (typeof key.expiresAt === 'string') fields.expiresAt = key.expiresAt;
  const disabled = 'disabledAt' in key ? key.disabledAt !== null : key.enabled === false;
  if (disabled) fields.enabled = false;
  if (Array.isArray(key.allowedIps)) fields.allowedIps = [...key.allowedIps];
  return fields;
}
