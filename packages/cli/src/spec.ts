/**
 * Declarative description of a command: the single source for its `--help` text (rendered here
 * into the generated help-text.ts), for parsing (parse.ts builds commander from it), for shell
 * completion, and for the docs check (docs.test.ts).
 */
import { CODE_DIGITS } from '@codika/contract/operations';
import {
  DESCRIPTION_MAX,
  descriptionProblem,
  EMAIL_MAX,
  EXPIRES_IN_DAYS_MAX,
  NAME_MAX,
  nameProblem,
} from '@codika/contract/rules';
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

/** A local profile name: 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export function checkProfileName(value: string, flag: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) {
    throw new ValidationError(`${flag} must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit.`);
  }
  return value;
}

/** A whole number of days from 1 to EXPIRES_IN_DAYS_MAX. */
export function checkDays(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > EXPIRES_IN_DAYS_MAX) {
    throw new ValidationError(`${flag} must be a whole number from 1 to ${EXPIRES_IN_DAYS_MAX}, got "${value}".`);
  }
  return n;
}

/**
 * An e-mail address, trimmed: at most EMAIL_MAX characters, one "@" with text on both sides, no
 * spaces or control characters. The server judges the address fully; this catches typos early.
 */
export function checkEmail(value: string, flag: string): string {
  const email = value.trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (email.length > EMAIL_MAX || !/^[^\s@\u0000-\u001f\u007f]+@[^\s@\u0000-\u001f\u007f]+$/.test(email)) {
    throw new ValidationError(`${flag} must be an e-mail address (at most ${EMAIL_MAX} characters), got "${value}".`);
  }
  return email;
}

/** The one-time code from the e-mail: CODE_DIGITS digits (spaces around are dropped). */
export function codeProblem(value: string): string | undefined {
  return new RegExp(`^[0-9]{${CODE_DIGITS}}$`).test(value.trim())
    ? undefined
    : `must be the ${CODE_DIGITS}-digit code from the e-mail`;
}

export function checkCode(value: string, flag: string): string {
  const why = codeProblem(value);
  if (why !== undefined) throw new ValidationError(`${flag} ${why}.`);
  return value.trim();
}

/** A non-empty id (trimmed). */
export function checkId(value: string, flag: string): string {
  if (value.trim() === '') throw new ValidationError(`${flag} must not be empty.`);
  return value.trim();
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
