/**
 * One API call as a command makes it: the progress line (stderr, terminal only), the request,
 * and the hints a user can act on when it fails.
 */
import type { SuccessEnvelope } from '@codika/contract/errors';
import { OPERATIONS, type OperationName } from '@codika/contract/operations';
import { type ApiRequest, callApi } from './api.js';
import { type ApiContext, endpointUrl } from './api-context.js';
import { addApiHints, addApiUrlHint } from './api-hints.js';
import type { Deps } from './deps.js';
import { progress } from './output.js';

export async function request<T>(
  deps: Deps,
  req: Omit<ApiRequest, 'fetch'>,
  progressMessage?: string,
): Promise<SuccessEnvelope<T>> {
  const done = progressMessage === undefined ? () => {} : progress(deps.io, progressMessage);
  try {
    return (await callApi<T>({ fetch: deps.fetch, ...req })).envelope;
  } catch (error) {
    addApiHints(error);
    throw error;
  } finally {
    done();
  }
}

/** An operation with the command's key and server (api-context.ts): its URL, the key, the timeout. */
export function callOperation<T>(
  deps: Deps,
  ctx: ApiContext,
  operation: OperationName,
  body: unknown,
  progressMessage?: string,
): Promise<SuccessEnvelope<T>> {
  const url = endpointUrl(ctx, OPERATIONS[operation].path);
  return request<T>(deps, { url, apiKey: ctx.apiKey, body, timeoutMs: ctx.timeoutMs }, progressMessage).catch(
    (error: unknown) => {
      addApiUrlHint(error, ctx.apiUrl, url, OPERATIONS[operation].path);
      throw error;
    },
  );
}
