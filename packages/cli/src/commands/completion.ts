/**
 * `codika completion bash|zsh|fish`: a completion script generated from the specs of every
 * command, which the router passes in (routes.ts). `--install` / `--uninstall` put it into the
 * user's shell start-up file and take it out again, as the public CLI 3.6.0 does: for bash and
 * zsh a block between `# BEGIN codika completion` and `# END codika completion` (the public
 * CLI's markers) in ~/.bashrc or ~/.zshrc that evaluates `codika completion <shell>` — so the
 * script is always the installed CLI's —, for fish the file fish loads by itself,
 * ~/.config/fish/completions/codika.fish. The shell is the argument, else $SHELL's.
 */
import type { Deps, Files } from '../deps.js';
import { ValidationError } from '../errors.js';
import { line } from '../output.js';
import { bool, type CommandSpec, type RawArgs } from '../spec.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export const spec: CommandSpec = {
  path: ['completion'],
  summary: 'Print a shell completion script',
  arguments: [
    { name: 'shell', description: 'Shell to complete for (with --install/--uninstall: default $SHELL)', choices: SHELLS },
  ],
  options: [
    { flags: '--install', description: "Add completion to your shell's start-up file (~/.bashrc, ~/.zshrc, fish's completions)" },
    { flags: '--uninstall', description: 'Take it out again' },
  ],
  notes: () => [
    'Or by hand:\n' +
      '  bash:  codika completion bash > ~/.local/share/bash-completion/completions/codika\n' +
      '  zsh:   codika completion zsh > ~/.zfunc/_codika   (with ~/.zfunc in $fpath)\n' +
      '  fish:  codika completion fish > ~/.config/fish/completions/codika.fish',
  ],
  examples: ['codika completion --install', 'codika completion zsh --install', 'source <(codika completion bash)'],
};

export interface CompletionOptions {
  /** Undefined only with --install/--uninstall: the shell $SHELL names. */
  shell?: Shell;
  action: 'print' | 'install' | 'uninstall';
}

export function parse(raw: RawArgs): CompletionOptions {
  const shell = raw.args[0];
  const install = bool(raw, 'install');
  const uninstall = bool(raw, 'uninstall');
  if (install && uninstall) throw new ValidationError('--install and --uninstall cannot be combined.');
  const action = install ? 'install' : uninstall ? 'uninstall' : 'print';
  if (shell === undefined) {
    if (action === 'print') {
      throw new ValidationError(
        `Which shell? Run \`codika completion ${SHELLS.join('|')}\` to print a script, or \`codika completion --install\`.`,
      );
    }
    return { action };
  }
  if (!SHELLS.includes(shell as Shell)) throw new ValidationError(`Shell must be one of ${SHELLS.join(', ')} (got "${shell}").`);
  return { shell: shell as Shell, action };
}

interface Entry {
  words: readonly string[];
  /** Option flags and argument choices offered after the command's words. */
  completions: string[];
}

function table(commands: readonly CommandSpec[]): Entry[] {
  return commands.map((spec) => ({
    words: spec.path,
    completions: [
      ...(spec.arguments ?? []).flatMap((a) => a.choices ?? []),
      ...spec.options.flatMap((o) => o.flags.match(/--?[a-zA-Z][\w-]*/g) ?? []),
      '--help',
    ],
  }));
}

/** Each group's words ('' = top level, 'organization', 'organization members') → the words that may follow. */
function groups(entries: Entry[]): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const e of entries) {
    for (let k = 0; k < e.words.length; k++) {
      const prefix = e.words.slice(0, k).join(' ');
      const list = next.get(prefix) ?? [];
      if (!list.includes(e.words[k]!)) list.push(e.words[k]!);
      next.set(prefix, list);
    }
  }
  return next;
}

const quoted = (s: string) => `"${s}"`;

function bash(entries: Entry[]): string {
  const next = groups(entries);
  const cases = [
    ...[...next].map(
      ([prefix, words]) =>
        `    ${quoted(prefix)}) words="${[...words, ...(prefix === '' ? ['--help', '--version'] : [])].join(' ')}" ;;`,
    ),
    ...entries.map((e) => `    ${quoted(e.words.join(' '))}) words="${e.completions.join(' ')}" ;;`),
  ].join('\n');
  return `# bash completion for codika
_codika() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" words="" i
  # The command words typed so far: while they name a group, the next word belongs to them.
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "$path" in
      ${[...next.keys()].map(quoted).join('|')}) path="\${path:+$path }\${COMP_WORDS[i]}" ;;
      *) break ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
complete -F _codika codika
`;
}

function zsh(entries: Entry[]): string {
  return `#compdef codika
# zsh completion for codika (uses the bash completion through bashcompinit)
autoload -U +X bashcompinit && bashcompinit
${bash(entries)}`;
}

function fish(entries: Entry[]): string {
  const next = groups(entries);
  const groupList = [...next.keys()].map((g) => `'${g}'`).join(' ');
  const at = (path: string) => `__codika_at '${path}'`;
  const out = [
    '# fish completion for codika',
    '# __codika_at PATH: the command words typed so far (while they name a group) are PATH.',
    'function __codika_at',
    '    set -l words (commandline -opc)',
    '    set -e words[1]',
    "    set -l path ''",
    '    for w in $words',
    `        contains -- "$path" ${groupList}; or break`,
    '        set path (string trim -- "$path $w")',
    '    end',
    '    test "$path" = "$argv[1]"',
    'end',
    'complete -c codika -f',
  ];
  for (const [prefix, words] of next) out.push(`complete -c codika -n "${at(prefix)}" -a "${words.join(' ')}"`);
  for (const e of entries) {
    const cond = at(e.words.join(' '));
    for (const c of e.completions) {
      if (c.startsWith('--')) out.push(`complete -c codika -n "${cond}" -l ${c.slice(2)}`);
      else if (!c.startsWith('-')) out.push(`complete -c codika -n "${cond}" -a "${c}"`);
    }
  }
  return `${out.join('\n')}\n`;
}

function script(shell: Shell, commands: readonly CommandSpec[]): string {
  const entries = table(commands);
  return shell === 'bash' ? bash(entries) : shell === 'zsh' ? zsh(entries) : fish(entries);
}

export const BEGIN_MARKER = '# BEGIN codika completion';
export const END_MARKER = '# END codika completion';

/** The block in ~/.bashrc or ~/.zshrc (zsh: compinit first when the user's set-up has not run it). */
function rcBlock(shell: 'bash' | 'zsh'): string {
  const lines = [BEGIN_MARKER];
  if (shell === 'zsh') lines.push('(( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }');
  lines.push(`command -v codika >/dev/null 2>&1 && eval "$(codika completion ${shell})"`, END_MARKER);
  return `${lines.join('\n')}\n`;
}

/** `text` without the marked block (and the blank line that set it apart), or undefined when it has none. */
export function withoutBlock(text: string): string | undefined {
  const begin = text.indexOf(BEGIN_MARKER);
  const end = text.indexOf(END_MARKER, begin);
  if (begin === -1 || end === -1) return undefined;
  const before = text.slice(0, begin).replace(/\n\n$/, '\n');
  const after = text.slice(end + END_MARKER.length).replace(/^\n/, '');
  return before + after;
}

/** Where each shell's completion goes. */
function target(shell: Shell, files: Files): string {
  if (shell === 'bash') return `${files.home}/.bashrc`;
  if (shell === 'zsh') return `${files.home}/.zshrc`;
  return `${files.home}/.config/fish/completions/codika.fish`;
}

function shellOf(o: CompletionOptions, deps: Deps): Shell {
  if (o.shell !== undefined) return o.shell;
  const name = (deps.env.SHELL ?? '').split('/').pop()?.replace(/\d+$/, '') ?? '';
  if (SHELLS.includes(name as Shell)) return name as Shell;
  throw new ValidationError(
    `Cannot tell your shell from $SHELL (${deps.env.SHELL ? `"${deps.env.SHELL}"` : 'not set'}): name it, e.g. \`codika completion bash --${o.action}\` (bash, zsh or fish).`,
  );
}

async function install(shell: Shell, deps: Deps, commands: readonly CommandSpec[]): Promise<number> {
  const file = target(shell, deps.files);
  const out = deps.io.stdout;
  if (shell === 'fish') {
    await deps.files.write(file, script('fish', commands));
    line(out, `Completion installed in ${file} (fish loads it in new shells).`);
    return 0;
  }
  const current = (await deps.files.read(file)) ?? '';
  const rest = withoutBlock(current);
  const base = rest ?? current;
  const separator = base === '' || base.endsWith('\n\n') ? '' : base.endsWith('\n') ? '\n' : '\n\n';
  await deps.files.write(file, `${base}${separator}${rcBlock(shell)}`);
  line(out, `Completion ${rest === undefined ? 'installed in' : 'updated in'} ${file}.`);
  line(out, `Open a new shell, or run: source ${file}`);
  return 0;
}

async function uninstall(shell: Shell, deps: Deps): Promise<number> {
  const file = target(shell, deps.files);
  const out = deps.io.stdout;
  if (shell === 'fish') {
    line(
      out,
      (await deps.files.remove(file)) ? `Completion removed: ${file}` : `No codika completion for fish (${file} does not exist).`,
    );
    return 0;
  }
  const current = await deps.files.read(file);
  const rest = current === undefined ? undefined : withoutBlock(current);
  if (rest === undefined) {
    line(out, `No codika completion in ${file}.`);
    return 0;
  }
  await deps.files.write(file, rest);
  line(out, `Completion removed from ${file}. Open a new shell for it to take effect.`);
  return 0;
}

export async function run(o: CompletionOptions, deps: Deps, commands: readonly CommandSpec[]): Promise<number> {
  if (o.action === 'install') return install(shellOf(o, deps), deps, commands);
  if (o.action === 'uninstall') return uninstall(shellOf(o, deps), deps);
  deps.io.stdout.write(script(o.shell as Shell, commands));
  return 0;
}
