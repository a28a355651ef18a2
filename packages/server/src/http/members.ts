/** What the member routes share: naming the member and the actor. */

import type { MemberActor, MemberRef } from '../store/types.js';
import type { Caller } from './request-state.js';
import { validationError } from './validation.js';

/** A member is named by `userId` or `email`: exactly one of them (else 400 VALIDATION_ERROR). */
export function memberRefOf(body: { userId?: string | undefined; email?: string | undefined }): MemberRef {
  if (body.userId !== undefined && body.email !== undefined) {
    throw validationError({ email: 'name the member by userId or by email, not both' });
  }
  if (body.userId !== undefined) return { userId: body.userId };
  if (body.email !== undefined) return { email: body.email };
  throw validationError({ userId: 'userId or email is required' });
}

/** The caller acts as the user behind its key; the store reads that user's role in the transaction. */
export function actorOf(caller: Caller): MemberActor {
  return { kind: 'member', userId: caller.user.id };
}
