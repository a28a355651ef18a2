/**
 * POST /updateorganizationmemberpublic `{ userId | email, role }` — change a member's role.
 * The store locks the organization, reads the caller's and the target's roles and the owner
 * count, and judges (roles.ts): only an owner changes an owner or grants the owner role (403
 * ROLE_HIERARCHY); nobody changes their own role (409 SELF_ROLE_CHANGE) except an owner
 * stepping down while another owner remains; the last owner stays (409 LAST_OWNER). Someone
 * who is not a member of the caller's organization: 404 MEMBER_NOT_FOUND. The new role holds
 * from the member's next request (roles are read on every request).
 */
import type { MemberChangeData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.js';
import { actorOf, memberRefOf } from '../http/members.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { memberView } from '../http/views.js';

export function registerUpdateMember(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'updateMember', {
    audit: 'member.update',
    handler: async ({ caller, body, nowIso, audited }) => {
      const member = memberRefOf(body);
      const outcome = await audited((audit) =>
        config.store.updateMemberRole({
          organizationId: caller.organization.id,
          member,
          role: body.role,
          now: nowIso,
          actor: actorOf(caller),
          audit,
        }),
      );
      if (outcome.status === 'organization_not_found') throw new ApiError('ORGANIZATION_NOT_FOUND');
      if (outcome.status === 'not_found') throw new ApiError('MEMBER_NOT_FOUND');
      if (outcome.status === 'denied') throw new ApiError(outcome.code);
      const data: MemberChangeData = { member: memberView(outcome.member), previousRole: outcome.previousRole };
      return data;
    },
  });
}
