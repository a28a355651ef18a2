/**
 * The whole CLI as a function of argv and injected dependencies. A tiny hand-written router picks
 * the command and loads only its module; `--help` is rendered from the command's spec without
 * commander; errors become output and an exit code here, in one place.
 */
import type { Deps } from './deps.js';
import { CliError, exitCodeOf, ValidationError } from './errors.js';
import { GROUPS, ROUTES, type Route } from './routes.js';
import { renderHelp, renderTable } from './spec.js';

function optionTokens(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? [...argv] : argv.slice(0, end);
}

export function wantsJson(argv: readonly string[]): boolean {
  return optionTokens(argv).includes('--json');
}

function wantsHelp(argv: readonly string[]): boolean {
  const tokens = optionTokens(argv);
  return tokens.includes('--help') || tokens.includes('-h');
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
    'Command-line client for codika organization API keys.',
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

function groupHelp(group: string): string {
  const rows: [string, string][] = ROUTES.filter((r) => r.path[0] === group).map((r) => [r.path.join(' '), r.summary]);
  return [`Usage: codika ${group} <command> [options]`, '', GROUPS[group] ?? '', '', 'Commands:', ...renderTable(rows), ''].join(
    '\n',
  );
}

export async function reportError(error: unknown, deps: Deps, json: boolean): Promise<number> {
  const code = exitCodeOf(error);
  if (json) {
    const { writeJson } = await import('./output.js');
    const { ApiError } = await import('./errors.js');
    if (error instanceof ApiError) writeJson(deps.io.stdout, error.envelope);
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
  const { colorsFor } = await import('./output.js');
  const c = await colorsFor(deps.env, deps.io.stderrIsTTY);
  if (error instanceof CliError) {
    const { ApiError } = await import('./errors.js');
    const suffix = error instanceof ApiError ? ` (${error.code})` : '';
    deps.io.stderr.write(`${c.red('Error:')} ${error.message}${suffix}\n`);
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
    const first = argv[0];
    if (first === undefined || first === '--help' || first === '-h') {
      deps.io.stdout.write(topLevelHelp());
      return 0;
    }
    if (first === '--version' || first === '-V') {
      deps.io.stdout.write(`${await version()}\n`);
      return 0;
    }
    if (first === 'help') {
      const target = matchRoute(argv.slice(1));
      if (target) deps.io.stdout.write(renderHelp((await target.load()).spec));
      else if (argv[1] && GROUPS[argv[1]]) deps.io.stdout.write(groupHelp(argv[1]));
      else deps.io.stdout.write(topLevelHelp());
      return 0;
    }
    const route = matchRoute(argv);
    if (!route) {
      if (GROUPS[first]) {
        if (argv.length === 1 || wantsHelp(argv.slice(1))) {
          deps.io.stdout.write(groupHelp(first));
          return 0;
        }
        throw new ValidationError(`Unknown command "${first} ${argv[1]}". Run \`codika ${first} --help\` for the list.`);
      }
      if (first.startsWith('-')) throw new ValidationError(`Unknown option '${first}'. Run \`codika --help\` for usage.`);
      throw new ValidationError(`Unknown command "${first}". Run \`codika --help\` for the list of commands.`);
    }
    const mod = await route.load();
    const rest = argv.slice(route.path.length);
    if (wantsHelp(rest)) {
      deps.io.stdout.write(renderHelp(mod.spec));
      return 0;
    }
    const { parseArgv } = await import('./parse.js');
    const options = mod.parse(parseArgv(mod.spec, rest));
    return await mod.run(options as never, deps);
  } catch (error) {
    return reportError(error, deps, json);
  }
}

/** Every help text by command path ('' = top level); the source of the generated help-text.ts. */
export async function helpTable(): Promise<Record<string, string>> {
  const table: Record<string, string> = { '': topLevelHelp() };
  for (const group of Object.keys(GROUPS)) table[group] = groupHelp(group);
  for (const r of ROUTES) table[r.path.join(' ')] = renderHelp((await r.load()).spec);
  return table;
}
