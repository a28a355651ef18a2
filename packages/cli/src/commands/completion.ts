/**
 * `codika completion bash|zsh|fish`: a completion script generated from the specs of every
 * command, which the router passes in (routes.ts).
 */
import type { Deps } from '../deps.js';
import { ValidationError } from '../errors.js';
import type { CommandSpec, RawArgs } from '../spec.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export const spec: CommandSpec = {
  path: ['completion'],
  summary: 'Print a shell completion script',
  arguments: [{ name: 'shell', description: 'Shell to complete for', required: true, choices: SHELLS }],
  options: [],
  notes: () => [
    'Install:\n' +
      '  bash:  codika completion bash > ~/.local/share/bash-completion/completions/codika\n' +
      '  zsh:   codika completion zsh > ~/.zfunc/_codika   (with ~/.zfunc in $fpath)\n' +
      '  fish:  codika completion fish > ~/.config/fish/completions/codika.fish',
  ],
  examples: ['source <(codika completion bash)'],
};

export interface CompletionOptions {
  shell: Shell;
}

export function parse(raw: RawArgs): CompletionOptions {
  const shell = raw.args[0];
  if (!SHELLS.includes(shell as Shell)) throw new ValidationError(`Shell must be one of ${SHELLS.join(', ')}.`);
  return { shell: shell as Shell };
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

export async function run(o: CompletionOptions, deps: Deps, commands: readonly CommandSpec[]): Promise<number> {
  const entries = table(commands);
  deps.io.stdout.write(o.shell === 'bash' ? bash(entries) : o.shell === 'zsh' ? zsh(entries) : fish(entries));
  return 0;
}
