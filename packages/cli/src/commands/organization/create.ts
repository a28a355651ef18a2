/**
 * `codika organization create`: a new organization, owned by the calling key's user (the public
 * Codika CLI's command, without its logo and n8n options, which this server does not support).
 */
import { ORGANIZATION_SIZES } from '@codika/contract/operations';
import { ORGANIZATION_DESCRIPTION_MAX, ORGANIZATION_NAME_MAX } from '@codika/contract/rules';
import type { CreateOrganizationData } from '@codika/contract/schemas';
import { type ApiFlags, resolveApiContext } from '../../api-context.js';
import type { Deps } from '../../deps.js';
import { ValidationError } from '../../errors.js';
import { colorsFor, line, writeJson } from '../../output.js';
import { callOperation } from '../../request.js';
import { API_OPTIONS, apiFlags, bool, type CommandSpec, checkDescription, checkName, type RawArgs, str } from '../../spec.js';

type Size = (typeof ORGANIZATION_SIZES)[number];

export const spec: CommandSpec = {
  path: ['organization', 'create'],
  summary: "Create an organization; the API key's user becomes its owner",
  options: [
    { flags: '--name <name>', description: `Organization name (required, 1–${ORGANIZATION_NAME_MAX} characters)` },
    { flags: '--description <description>', description: 'Organization description' },
    { flags: '--size <size>', description: `Organization size (${ORGANIZATION_SIZES.join(', ')})` },
    ...API_OPTIONS,
  ],
  notes: () => [
    'Any key of yours can create one. To work in the new organization, sign in to it: `codika auth login --email <you> --organization-id <id>`.',
  ],
  examples: [
    'codika organization create --name "Acme Labs"',
    'codika organization create --name "Acme Labs" --description "Research" --size 2-10 --json',
  ],
};

export interface CreateOrganizationOptions {
  name: string;
  description?: string;
  size?: Size;
  json: boolean;
  api: ApiFlags;
}

export function parse(raw: RawArgs): CreateOrganizationOptions {
  const name = str(raw, 'name');
  if (name === undefined) throw new ValidationError("Missing required option '--name <name>'.");
  const o: CreateOrganizationOptions = {
    name: checkName(name, '--name', ORGANIZATION_NAME_MAX),
    json: bool(raw, 'json'),
    api: apiFlags(raw),
  };
  const description = str(raw, 'description');
  const size = str(raw, 'size');
  if (description) o.description = checkDescription(description, '--description', ORGANIZATION_DESCRIPTION_MAX);
  if (size !== undefined) {
    if (!ORGANIZATION_SIZES.includes(size as Size)) {
      throw new ValidationError(`--size must be one of ${ORGANIZATION_SIZES.join(', ')}, got "${size}".`);
    }
    o.size = size as Size;
  }
  return o;
}

export async function run(o: CreateOrganizationOptions, deps: Deps): Promise<number> {
  const ctx = await resolveApiContext(o.api, deps);
  const body: Record<string, unknown> = { name: o.name };
  if (o.description !== undefined) body.description = o.description;
  if (o.size !== undefined) body.size = o.size;
  const envelope = await callOperation<CreateOrganizationData>(deps, ctx, 'createOrganization', body, 'Creating organization…');
  if (o.json) {
    writeJson(deps.io.stdout, envelope);
    return 0;
  }
  const c = await colorsFor(deps.env, deps.io.stdoutIsTTY);
  const out = deps.io.stdout;
  line(out, `${c.green('✓')} Organization created: ${o.name}`);
  line(out, `  Organization ID: ${envelope.data.organizationId}`);
  line(out, `  Request ID:      ${envelope.requestId}`);
  line(out);
  line(out, 'You are its owner. To work in it, sign in to it:');
  line(out, `  codika auth login --email <your e-mail> --organization-id ${envelope.data.organizationId}`);
  return 0;
}
