/**
 * The whole CLI as a function of argv and injected dependencies: help and version first (help.ts),
 * then the command whose words argv starts with (routes.ts); errors become output and an exit code
 * here, in one place.
 */
import type { Deps } from './deps.js';
import { ApiError, CliError, exitCodeOf, ValidationError } from './errors.js';
import { answerHelpOrVersion, helpText } from './help.js';
import { colorsFor, writeJson } from './output.js';
import { parseArgv } from './parse.js';
import { GROUPS, ROUTES, type Route } from './routes.js';
import { renderHelp, renderTable } from './spec.js';

function optionTokens(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? [...argv] : argv.slice(0, end);
}

export function wantsJson(argv: readonly string[]): boolean {
  return optionTokens(argv).includes('--json');
}

function matchRoute(words: readonly string[]): Route | undefined {
  return ROUTES.find((r) => r.path.every((p, i) => words[i] === p));
}

export function topLevelHelp(): string {
  const rows: [string, string][] = [];
  for (const r of ROUTES) rows.push([r.path.join(' '), r.summary]);
  return [
    'Usage: codika <command> [options]',
    '',
    'Command-line client for codika: sign-in, organizations, their members and API keys.',
    '',
    'Commands:',
    ...renderTable(rows),
    '',
    'Options:',
    ...renderTable([
      ['-V, --version', 'Print the version'],
      ['-h, --help', 'Show help (also: codika <command> --help)'],
    ]),
    '',
    'Environment: CODIKA_API_KEY, CODIKA_BASE_URL, CODIKA_TIMEOUT (seconds), NO_COLOR, FORCE_COLOR, XDG_CONFIG_HOME.',
    '',
  ].join('\n');
}

const startsWith = (words: readonly string[], prefix: readonly string[]) => prefix.every((p, i) => words[i] === p);

/** The longest group ('organization members', 'organization', …) argv starts with. */
function matchGroup(argv: readonly string[]): string | undefined {
  return Object.keys(GROUPS)
    .filter((g) => startsWith(argv, g.split(' ')))
    .sort((a, b) => b.length - a.length)[0];
}

function groupHelp(group: string): string {
  const words = group.split(' ');
  const rows: [string, string][] = ROUTES.filter((r) => startsWith(r.path, words)).map((r) => [r.path.join(' '), r.summary]);
  return [`Usage: codika ${group} <command> [options]`, '', GROUPS[group] ?? '', '', 'Commands:', ...renderTable(rows), ''].join(
    '\n',
  );
}

export async function reportError(error: unknown, deps: Deps, json: boolean): Promise<number> {
  const code = exitCodeOf(error);
  if (json) {
    if (error instanceof ApiError) writeJson(deps.io.stdout, error.jsonDocument());
    else {
      const e = error instanceof CliError ? error : undefined;
      const doc: Record<string, unknown> = {
        success: false,
        error: { code: e?.code ?? 'INTERNAL', message: e?.message ?? `Unexpected error: ${String(error)}` },
      };
      if (e?.requestId) doc.requestId = e.requestId;
      writeJson(deps.io.stdout, doc);
    }
    return code;
  }
  const c = await colorsFor(deps.env, deps.io.stderrIsTTY);
  if (error instanceof CliError) {
    const suffix = error instanceof ApiError ? ` (${error.code})` : '';
    deps.io.stderr.write(`${c.red('Error:')} ${error.message}${suffix}\n`);
    const next = error instanceof ApiError ? error.envelope.error.nextAction : undefined;
    if (next) deps.io.stderr.write(`${c.bold('Next:')} ${next}\n`);
    for (const hint of error.hints) deps.io.stderr.write(`${hint}\n`);
    if (error.requestId && !error.message.includes(error.requestId))
      deps.io.stderr.write(`${c.dim(`Request ID: ${error.requestId}`)}\n`);
  } else {
    const e = error as Error;
    deps.io.stderr.write(`${c.red('Error:')} unexpected failure: ${e?.stack ?? String(error)}\n`);
  }
  return code;
}

export async function runCli(argv: readonly string[], deps: Deps, version: () => Promise<string>): Promise<number> {
  const json = wantsJson(argv);
  try {
    if (await answerHelpOrVersion(argv, deps.io.stdout, version)) return 0;
    const first = argv[0] as string; // argv is not empty: a bare `codika` is the top-level help
    const route = matchRoute(argv);
    if (!route) {
      const group = matchGroup(argv);
      if (group !== undefined) {
        const depth = group.split(' ').length;
        if (argv.length === depth) {
          deps.io.stdout.write((await helpText(group)) ?? '');
          return 0;
        }
        throw new ValidationError(`Unknown command "${group} ${argv[depth]}". Run \`codika ${group} --help\` for the list.`);
      }
      if (first.startsWith('-')) throw new ValidationError(`Unknown option '${first}'. Run \`codika --help\` for usage.`);
      throw new ValidationError(`Unknown command "${first}". Run \`codika --help\` for the list of commands.`);
    }
    const { module } = route;
    const options = module.parse(parseArgv(module.spec, argv.slice(route.path.length)));
    return await module.run(options, deps);
  } catch (error) {
    return reportError(error, deps, json);
  }
}

/** Every help text by command path ('' = top level): the source of the generated help-text.ts. */
export function helpTable(): Record<string, string> {
  const table: Record<string, string> = { '': topLevelHelp() };
  for (const group of Object.keys(GROUPS)) table[group] = groupHelp(group);
  for (const r of ROUTES) table[r.path.join(' ')] = renderHelp(r.module.spec);
  return table;
}
