/**
 * POST /createorganizationviaapikey — create an organization owned by the calling key's user
 * (any valid key, any scope, any role). Follows the sign-up policy: on a closed server, or for
 * a user whose address is outside `--signup-domains`, 403 SIGNUP_DISABLED. The logo and n8n
 * fields of the public protocol are refused by name (400 UNSUPPORTED_FIELD), never dropped.
 * The key itself stays in its own organization; the person signs in to the new one by code.
 */
import type { CreateOrganizationData } from '@codika/contract/schemas';
import { UNSUPPORTED_ORGANIZATION_FIELDS } from '@codika/contract/schemas';
import type { FastifyInstance } from 'fastify';
import { signupAllowed } from '../accounts/policy.js';
import { ApiError } from '../http/errors.js';
import { registerOperation, type ServerConfig } from '../http/operation.js';
import { newId } from '../ids.js';

export function registerCreateOrganization(app: FastifyInstance, config: ServerConfig): void {
  registerOperation(app, config, 'createOrganization', {
    audit: 'organization.create',
    handler: async ({ caller, body, nowIso, audited }) => {
      if (!signupAllowed(config.signup, caller.user.email)) {
        throw new ApiError('SIGNUP_DISABLED', {
          message: 'This server does not let its users create organizations',
          nextAction: "Ask the server's operator to create the organization (codika-server bootstrap)",
        });
      }
      const unsupported = UNSUPPORTED_ORGANIZATION_FIELDS.find((field) => body[field] !== undefined);
      if (unsupported !== undefined) {
        throw new ApiError('UNSUPPORTED_FIELD', {
          message: `This server does not support ${unsupported}`,
          details: { field: unsupported },
          nextAction: `Re-run without ${unsupported}`,
        });
      }
      const organization = await audited((audit) =>
        config.store.createOrganizationForUser({
          organization: {
            id: newId(),
            name: body.name,
            description: body.description ?? '',
            size: body.size ?? null,
            createdAt: nowIso,
          },
          ownerUserId: caller.user.id,
          audit,
        }),
      );
      const data: CreateOrganizationData = { organizationId: organization.id };
      return data;
    },
  });
}
