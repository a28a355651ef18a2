/**
 * One API call as a command makes it: the progress line (stderr, terminal only), the request,
 * and the hints a user can act on when it fails.
 */
import type { SuccessEnvelope } from '@codika/contract/errors';
import { type ApiRequest, callApi } from './api.js';
import { addApiHints } from './api-hints.js';
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
