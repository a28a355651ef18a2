/**
 * POST /removeorganizationmemberpublic `{ userId | email }` — remove a member. In the same
 * transaction every live key they made in the organization is revoked (an audit row each),
 * so their keys answer 401 from the next request, and adding them back later brings none of
 * those keys back. The same rules as a role change: an admin cannot remove an owner (403
 * ROLE_HIERARCHY), nobody removes themselves (409 SELF_ROLE_CHANGE — not even an owner while
 * another owner remains: another owner or the operator removes them), the last owner stays
 * (409 LAST_OWNER).
 */
import type { RemoveMemberData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { actorOf, memberRefOf } from '../http/members.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';

export function registerRemoveMember(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'removeMember', {
    audit: 'member.remove',
    handler: async ({ caller, body, nowIso, audited }) => {
      const member = memberRefOf(body);
      const outcome = await audited((audit) =>
        config.store.removeMember({
          organizationId: caller.organization.id,
          member,
          now: nowIso,
          actor: actorOf(caller),
          audit,
        }),
      );
      if (outcome.status === 'organization_not_found') throw new ApiError('ORGANIZATION_NOT_FOUND');
      if (outcome.status === 'not_found') throw new ApiError('MEMBER_NOT_FOUND');
      if (outcome.status === 'denied') throw new ApiError(outcome.code);
      const data: RemoveMemberData = {
        userId: outcome.member.userId,
        email: outcome.member.email,
        revokedKeyIds: outcome.revokedKeyIds,
      };
      return data;
    },
  });
}
