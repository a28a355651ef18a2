/**
 * The ten organization API-key scopes of the Codika platform, in the platform's order.
 * Zero dependencies: the CLI imports this module at start-up.
 */
export const SCOPES = [
  'deploy:use-case',
  'projects:create',
  'projects:read',
  'workflows:trigger',
  'executions:read',
  'instances:read',
  'instances:manage',
  'skills:read',
  'integrations:manage',
  'api-keys:manage',
] as const;

export type Scope = (typeof SCOPES)[number];

/** What each scope allows, as the platform describes it (`--help`, the dashboard, docs). */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'deploy:use-case': 'Deploy use cases, upload documents, and read metadata',
  'projects:create': 'Create new projects via API',
  'projects:read': 'List and inspect project details',
  'workflows:trigger': 'Trigger workflows and poll execution status',
  'executions:read': 'List and read execution details',
  'instances:read': 'Read process instance details',
  'instances:manage': 'Activate, deactivate, and manage instances',
  'skills:read': 'Download agent skill documents',
  'integrations:manage': 'Create, delete, and list integrations',
  'api-keys:manage': 'Create and manage organization API keys',
};

/** The scope every key-management operation requires. */
export const MANAGE_SCOPE: Scope = 'api-keys:manage';

const SCOPE_SET: ReadonlySet<string> = new Set(SCOPES);

export function isScope(value: string): value is Scope {
  return SCOPE_SET.has(value);
}

/**
 * The canonical form of a scope set: only known scopes, no duplicates, sorted
 * alphabetically (`deploy:use-case, instances:read, projects:read`), whatever order they
 * were given in — the order every answer lists them in (docs/server.md, Scope order).
 */
export function canonicalScopes(scopes: Iterable<string>): Scope[] {
  const wanted = new Set(scopes);
  return SCOPES.filter((s) => wanted.has(s)).sort();
}

/**
 * Split a comma-separated scope list as typed on a command line: trims entries,
 * drops empty ones. Returns the entries in the order given (duplicates kept; the
 * server collapses them).
 */
export function splitScopeList(input: string): string[] {
  return input
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + cost);
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

/**
 * The nearest valid scope to an unknown one, or undefined when nothing is close
 * (edit distance more than a third of the longer string).
 */
export function suggestScope(unknown: string): Scope | undefined {
  const needle = unknown.trim().toLowerCase();
  let best: Scope | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const scope of SCOPES) {
    const d = editDistance(needle, scope);
    if (d < bestDistance) {
      best = scope;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(Math.max(needle.length, best.length) / 3)) ? best : undefined;
}

/** "Unknown scope(s) a (did you mean b?). Valid scopes: …" */
export function describeInvalidScopes(invalid: readonly string[]): string {
  const parts = invalid.map((s) => {
    const hint = suggestScope(s);
    return hint ? `"${s}" (did you mean ${hint}?)` : `"${s}"`;
  });
  const noun = invalid.length === 1 ? 'Unknown scope' : 'Unknown scopes';
  return `${noun} ${parts.join(', ')}. Valid scopes: ${SCOPES.join(', ')}`;
}
