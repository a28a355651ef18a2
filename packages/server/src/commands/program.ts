/**
 * The `codika-server` command tree. Each subcommand lives in its own file and registers
 * itself here; runCli parses arguments and returns the exit code (0 ok, 1 unexpected,
 * 2 usage/validation). Only bin.ts touches the process.
 */
import { Command, CommanderError } from 'commander';
import { registerBootstrap } from './bootstrap.js';
import { EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE } from './command-deps.js';
import { registerKeysIssue } from './keys-issue.js';
import type { Env } from './options.js';
import { registerStart, type StartDeps } from './start.js';
import { registerUsersAdd } from './users-add.js';
import { registerUsersRemove } from './users-remove.js';
import { registerUsersSetRole } from './users-set-role.js';

export type CliDeps = StartDeps;

export function buildProgram(deps: CliDeps, env: Env, done: (code: number) => void): Command {
  const program = new Command('codika-server')
    .description('codika platform API server and its operator commands')
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.io.out(s), writeErr: (s) => deps.io.err(s) })
    .showHelpAfterError('(run with --help for usage)');

  registerStart(program, deps, env, done);
  registerBootstrap(program, deps, env, done);

  const users = program.command('users').description('manage organization members');
  registerUsersAdd(users, deps, env, done);
  registerUsersSetRole(users, deps, env, done);
  registerUsersRemove(users, deps, env, done);

  const keys = program.command('keys').description('issue organization API keys as the operator');
  registerKeysIssue(keys, deps, env, done);

  return program;
}

/** Run `codika-server` with `args` (without node and the script path). */
export async function runCli(args: readonly string[], deps: CliDeps, env: Env): Promise<number> {
  let code: number = EXIT_OK;
  const program = buildProgram(deps, env, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    deps.io.err(`codika-server: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_UNEXPECTED;
  }
}
