/**
 * What commands need only when they run (not for `--help` or parsing). Command modules import
 * this lazily inside `run()`, so that `codika <command> --help` loads a handful of small files.
 */

export { maskKey } from '@codika/contract/keys';
export { DEFAULT_BASE_URL, EXPIRES_IN_DAYS_MAX, OPERATIONS } from '@codika/contract/operations';
export { callApi } from './api.js';
export { checkKeyFormat, endpointUrl, joinUrl, parseTimeout, resolveApiContext } from './api-context.js';
export { addApiHints } from './api-hints.js';
export { colorsFor, formatScopes, line, progress, writeJson } from './output.js';
export { profileFromVerify, saveProfile } from './profiles.js';
export { request } from './request.js';
