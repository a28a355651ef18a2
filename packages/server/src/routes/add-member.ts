/**
 * POST /addorganizationmemberpublic `{ email, role }` — add a person to the caller key's
 * organization; the user is created when the address is new (they sign in by code). Only an
 * owner adds an owner (403 ROLE_HIERARCHY). A person who already is a member answers 409
 * MEMBER_EXISTS with their id and current role, and nothing changes: a role is changed with
 * /updateorganizationmemberpublic, never by an add. Judged and written by the store in one
 * transaction, which also writes the audit row of every attempt.
 */
import type { MemberChangeData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { actorOf } from '../http/members.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { memberView } from '../http/views.js';
import { newId } from '../ids.js';

export function registerAddMember(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'addMember', {
    audit: 'member.add',
    handler: async ({ caller, body, nowIso, audited }) => {
      const outcome = await audited((audit) =>
        config.store.addMember({
          organizationId: caller.organization.id,
          email: body.email,
          role: body.role,
          newUserId: newId(),
          now: nowIso,
          actor: actorOf(caller),
          audit,
        }),
      );
      if (outcome.status === 'organization_not_found') throw new ApiError('ORGANIZATION_NOT_FOUND');
      if (outcome.status === 'denied') throw new ApiError(outcome.code);
      if (outcome.status === 'exists') {
        throw new ApiError('MEMBER_EXISTS', { details: { userId: outcome.member.userId, role: outcome.member.role } });
      }
      const data: MemberChangeData = { member: memberView(outcome.member) };
      return data;
    },
  });
}
