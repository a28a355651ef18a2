/**
 * `--help`, `codika help …`, a bare `codika` and `--version`: answered from the pre-rendered help
 * texts (help-text.ts, generated from the command specs), without loading any command or
 * commander. The entry (bin.ts) calls this before it loads the commands — the split that keeps
 * `--help` and `--version` close to `node -e 0` — and the router (cli.ts) calls it first too, so
 * both route help the same way.
 */
import type { Writer } from './deps.js';

function optionTokens(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? [...argv] : argv.slice(0, end);
}

/** The help topic argv asks for ('' = top level, 'organization update-key', …), or undefined. */
export function helpTopic(argv: readonly string[]): string | undefined {
  const tokens = optionTokens(argv);
  let words: string[];
  if (tokens.length === 0) words = [];
  else if (tokens[0] === 'help') words = tokens.slice(1).filter((t) => !t.startsWith('-'));
  else if (tokens.includes('--help') || tokens.includes('-h')) {
    const firstOption = tokens.findIndex((t) => t.startsWith('-'));
    words = tokens.slice(0, firstOption === -1 ? tokens.length : firstOption);
  } else return undefined;
  return words.slice(0, 3).join(' ');
}

/** `--version` / `-V` as the first word (what follows is ignored). */
export function wantsVersion(argv: readonly string[]): boolean {
  return argv[0] === '--version' || argv[0] === '-V';
}

/**
 * The help of `topic`, else of its longest known prefix but the top level (`organization nope` →
 * `organization`), else — with `orTopLevel` — the top-level help.
 */
export async function helpText(topic: string, orTopLevel = false): Promise<string | undefined> {
  const { HELP } = await import('./help-text.js');
  const words = topic === '' ? [] : topic.split(' ');
  for (let n = words.length; n > 0; n--) {
    const text = HELP[words.slice(0, n).join(' ')];
    if (text !== undefined) return text;
  }
  return orTopLevel ? HELP[''] : undefined;
}

/**
 * Writes the help or the version that argv asks for and returns true; false when argv runs a
 * command. An unknown topic falls back to its group (`organization nope --help` → the group's
 * help), then — for `codika help <anything>` and a bare `codika` — to the top level;
 * `codika nope --help` is left to the router, which calls it an unknown command.
 */
export async function answerHelpOrVersion(
  argv: readonly string[],
  out: Writer,
  version: () => Promise<string>,
): Promise<boolean> {
  const topic = helpTopic(argv);
  if (topic !== undefined) {
    const text = await helpText(topic, topic === '' || argv[0] === 'help');
    if (text !== undefined) {
      out.write(text);
      return true;
    }
  }
  if (wantsVersion(argv)) {
    out.write(`${await version()}\n`);
    return true;
  }
  return false;
}
