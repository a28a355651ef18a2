/**
 * Declarative description of a command: the single source for its `--help` text (rendered here
 * into the generated help-text.ts), for parsing (parse.ts builds commander from it), for shell
 * completion, and for the docs check (docs.test.ts).
 */
import { DESCRIPTION_MAX, descriptionProblem, NAME_MAX, nameProblem } from '@codika/contract/rules';
import type { Deps } from './deps.js';
import { ValidationError } from './errors.js';

export interface OptionSpec {
  /** Commander syntax: `--key-id <id>`, `--json`, `-y, --yes`. */
  flags: string;
  description: string;
  /** Shown in the help's default column; `—` when absent. */
  default?: string;
}

export interface ArgumentSpec {
  name: string;
  description: string;
  required?: boolean;
  choices?: readonly string[];
}

export interface CommandSpec {
  path: readonly string[];
  summary: string;
  arguments?: readonly ArgumentSpec[];
  options: readonly OptionSpec[];
  /** Extra help paragraphs (rules, available scopes, …). */
  notes?: () => string[];
  examples?: readonly string[];
}

/** What commander hands back: option values by camel-cased name, and positional arguments. */
export interface RawArgs {
  opts: Record<string, unknown>;
  args: string[];
}

export interface CommandModule<O = unknown> {
  spec: CommandSpec;
  parse(raw: RawArgs): O;
  run(options: O, deps: Deps): Promise<number>;
}

/** The options every command that calls the API takes. */
export const API_OPTIONS: readonly OptionSpec[] = [
  { flags: '--api-url <url>', description: 'Override API URL' },
  { flags: '--api-key <key>', description: 'Override API key' },
  { flags: '--profile <name>', description: 'Use a specific profile instead of the active one' },
  { flags: '--json', description: 'Output as JSON' },
];

export const HELP_OPTION: OptionSpec = { flags: '-h, --help', description: 'Show this help' };

function pad(s: string, width: number): string {
  return s + ' '.repeat(Math.max(1, width - s.length));
}

export function usageLine(spec: CommandSpec): string {
  const args = (spec.arguments ?? []).map((a) => (a.required ? `<${a.name}>` : `[${a.name}]`));
  return ['codika', ...spec.path, ...args, '[options]'].join(' ');
}

export function renderTable(rows: readonly (readonly [string, string])[], indent = 2): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, right]) => `${' '.repeat(indent)}${pad(left, width)}${right}`);
}

export function renderHelp(spec: CommandSpec): string {
  const out: string[] = [`Usage: ${usageLine(spec)}`, '', spec.summary];
  if (spec.arguments && spec.arguments.length > 0) {
    out.push('', 'Arguments:');
    out.push(
      ...renderTable(
        spec.arguments.map((a) => [a.name, a.choices ? `${a.description} (${a.choices.join(', ')})` : a.description]),
      ),
    );
  }
  out.push('', 'Options:');
  out.push(
    ...renderTable(
      [...spec.options, HELP_OPTION].map((o) => [
        o.flags,
        o.default !== undefined ? `${o.description} (default: ${o.default})` : o.description,
      ]),
    ),
  );
  if (spec.notes) for (const paragraph of spec.notes()) out.push('', paragraph);
  if (spec.examples && spec.examples.length > 0) {
    out.push('', 'Examples:');
    for (const ex of spec.examples) out.push(`  ${ex}`);
  }
  return `${out.join('\n')}\n`;
}

/** Reads a string option from commander's result; `undefined` when absent. */
export function str(raw: RawArgs, name: string): string | undefined {
  const v = raw.opts[name];
  return typeof v === 'string' ? v : undefined;
}

export function bool(raw: RawArgs, name: string): boolean {
  return raw.opts[name] === true;
}

/** `--api-url`, `--api-key`, `--profile` as given. */
export function apiFlags(raw: RawArgs): { apiUrl?: string; apiKey?: string; profile?: string } {
  const flags: { apiUrl?: string; apiKey?: string; profile?: string } = {};
  const apiUrl = str(raw, 'apiUrl');
  const apiKey = str(raw, 'apiKey');
  const profile = str(raw, 'profile');
  if (apiUrl !== undefined) flags.apiUrl = apiUrl;
  if (apiKey !== undefined) flags.apiKey = apiKey;
  if (profile !== undefined) flags.profile = profile;
  return flags;
}

/** A name as given to --name: not blank, at most `max` characters, no control characters (exit 2 otherwise). */
export function checkName(value: string, flag: string, max = NAME_MAX): string {
  const why = nameProblem(value, max);
  if (why !== undefined) throw new ValidationError(`${flag} ${why}.`);
  return value;
}

/** A description as given to --description: at most `max` characters, no control characters but tab and newline. */
export function checkDescription(value: string, flag: string, max = DESCRIPTION_MAX): string {
  const why = descriptionProblem(value, max);
  if (why !== undefined) throw new ValidationError(`${flag} ${why}.`);
  return value;
}

/** Checks an http(s) URL given on the command line or in the environment. */
export function checkUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`${what} must be an http:// or https:// URL, got "${value}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`${what} must be an http:// or https:// URL, got "${value}".`);
  }
  return value;
}
