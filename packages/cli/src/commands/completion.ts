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
  flags: string[];
}

function table(commands: readonly CommandSpec[]): Entry[] {
  return commands.map((spec) => ({
    words: spec.path,
    flags: [...spec.options.flatMap((o) => o.flags.match(/--?[a-zA-Z][\w-]*/g) ?? []), '--help'],
  }));
}

function bash(entries: Entry[]): string {
  const tops = [...new Set(entries.map((e) => e.words[0]!))];
  const cases = entries.map((e) => `    "${e.words.join(' ')}") opts="${e.flags.join(' ')}" ;;`).join('\n');
  const subs = [...new Set(entries.filter((e) => e.words.length > 1).map((e) => e.words[0]!))]
    .map(
      (g) =>
        `    ${g}) COMPREPLY=( $(compgen -W "${entries
          .filter((e) => e.words[0] === g)
          .map((e) => e.words[1])
          .join(' ')}" -- "$cur") ); return ;;`,
    )
    .join('\n');
  return `# bash completion for codika
_codika() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${tops.join(' ')} --help --version" -- "$cur") ); return
  fi
  if [ "$COMP_CWORD" -eq 2 ]; then
    case "\${COMP_WORDS[1]}" in
${subs}
    esac
  fi
  local cmd="\${COMP_WORDS[1]}"
  case "\${COMP_WORDS[1]}" in ${[...new Set(entries.filter((e) => e.words.length > 1).map((e) => e.words[0]))].join('|')}) cmd="\${COMP_WORDS[1]} \${COMP_WORDS[2]}" ;; esac
  local opts=""
  case "$cmd" in
${cases}
  esac
  if [ "$cmd" = "completion" ]; then opts="bash zsh fish"; fi
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
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
  const tops = [...new Set(entries.map((e) => e.words[0]!))];
  const out = ['# fish completion for codika', 'complete -c codika -f'];
  out.push(`complete -c codika -n "__fish_use_subcommand" -a "${tops.join(' ')}"`);
  for (const e of entries) {
    if (e.words.length > 1) {
      out.push(
        `complete -c codika -n "__fish_seen_subcommand_from ${e.words[0]}; and not __fish_seen_subcommand_from ${e.words[1]}" -a "${e.words[1]}"`,
      );
    }
    const cond = e.words.map((w) => `__fish_seen_subcommand_from ${w}`).join('; and ');
    for (const f of e.flags) {
      if (f.startsWith('--')) out.push(`complete -c codika -n "${cond}" -l ${f.slice(2)}`);
    }
  }
  out.push('complete -c codika -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"');
  return `${out.join('\n')}\n`;
}

export async function run(o: CompletionOptions, deps: Deps, commands: readonly CommandSpec[]): Promise<number> {
  const entries = table(commands);
  deps.io.stdout.write(o.shell === 'bash' ? bash(entries) : o.shell === 'zsh' ? zsh(entries) : fish(entries));
  return 0;
}
