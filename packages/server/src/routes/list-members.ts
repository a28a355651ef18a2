/**
 * POST /listorganizationmemberspublic — the people of the caller key's organization: id,
 * e-mail, role, when they joined, their last sign-in and how many live keys they made here.
 * Owners first, then admins, then members, each by e-mail.
 */
import type { ListMembersData } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { memberView } from '../http/views.js';

export function registerListMembers(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'listMembers', {
    audit: null,
    handler: async ({ caller, nowIso }) => {
      const members = await config.store.listMembers(caller.organization.id, nowIso);
      const data: ListMembersData = { members: members.map(memberView) };
      return data;
    },
  });
}
