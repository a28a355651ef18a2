import { v7 as uuidv7 } from 'uuid';

/** Time-ordered UUIDv7: key ids, organization/user ids, audit ids and request ids. */
export function newId(): string {
  return uuidv7();
}
