/**
 * Commander glue: builds a commander Command from a CommandSpec and parses argv with it.
 * Commander never prints and never exits: its errors become ValidationError (exit 2).
 */
import { Command, CommanderError, Option } from 'commander';
import { ValidationError } from './errors.js';
import type { CommandSpec, RawArgs } from './spec.js';

function longFlag(flags: string): string | undefined {
  return /--[a-z0-9-]+/i.exec(flags)?.[0];
}

function cleanMessage(message: string): string {
  const m = message.replace(/^error:\s*/i, '');
  return `${m.charAt(0).toUpperCase()}${m.slice(1)}`.replace(/\n/g, ' ');
}

export function parseArgv(spec: CommandSpec, argv: readonly string[]): RawArgs {
  const cmd = new Command(['codika', ...spec.path].join(' '))
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {}, outputError: () => {} })
    .helpOption(false)
    .allowExcessArguments(false)
    .showSuggestionAfterError(true);
  for (const a of spec.arguments ?? []) cmd.argument(a.required ? `<${a.name}>` : `[${a.name}]`, a.description);
  const takesValue = new Set<string>();
  const known = new Set<string>(['--help', '-h']);
  for (const o of spec.options) {
    cmd.addOption(new Option(o.flags, o.description));
    const long = longFlag(o.flags);
    if (long) known.add(long);
    if (long && /<[^>]+>|\[[^\]]+\]/.test(o.flags)) takesValue.add(long);
  }

  // `--key-id --json` would make "--json" the key id: treat an option name used as a value as
  // a missing argument instead, which is what the user meant.
  for (let i = 0; i < argv.length - 1; i++) {
    const token = argv[i] as string;
    if (token === '--') break;
    const next = argv[i + 1] as string;
    if (takesValue.has(token) && known.has(next)) {
      const flags = spec.options.find((o) => longFlag(o.flags) === token)?.flags ?? token;
      throw new ValidationError(`Option '${flags}' argument missing`);
    }
  }

  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError && e.code === 'commander.excessArguments') {
      const extra = cmd.args[(spec.arguments ?? []).length];
      throw new ValidationError(
        `Unexpected argument${extra ? ` "${extra}"` : ''}: quote option values that contain spaces, e.g. --name "Production Deploy Key".`,
      );
    }
    if (e instanceof CommanderError) throw new ValidationError(cleanMessage(e.message));
    throw e;
  }
  const args = cmd.args.slice();
  for (const a of spec.arguments ?? []) {
    const idx = (spec.arguments ?? []).indexOf(a);
    const value = args[idx];
    if (value !== undefined && a.choices && !a.choices.includes(value)) {
      throw new ValidationError(`Argument ${a.name} must be one of ${a.choices.join(', ')}, got "${value}"`);
    }
  }
  return { opts: cmd.opts(), args };
}
