/** A key's mutable fields, picked out of a record that carries more. */
import type { KeyFields } from './types.js';

/** Exactly the name, description and scopes (a copy of the list): what `previous` and an audit row's before/after hold. */
export function fieldsOf(key: KeyFields): KeyFields {
  return { name: key.name, description: key.description, scopes: [...key.scopes] };
}
