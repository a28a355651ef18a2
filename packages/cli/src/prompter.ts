/** The interactive prompter (masked input, yes/no, a choice), on stderr so stdout stays clean. */
import { confirm, isCancel, password, select } from '@clack/prompts';
import type { Prompter } from './deps.js';

export function createClackPrompter(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Prompter {
  const common = { input: input as never, output: output as never };
  return {
    async password(message) {
      const value = await password({ ...common, message, mask: '•' });
      return isCancel(value) ? undefined : value;
    },
    async confirm(message) {
      const value = await confirm({ ...common, message, initialValue: false });
      return isCancel(value) ? false : value;
    },
    async select(message, choices) {
      const options = choices.map((c) => (c.hint === undefined ? { value: c.value, label: c.label } : { ...c, hint: c.hint }));
      const value = await select({ ...common, message, options });
      return isCancel(value) ? undefined : value;
    },
  };
}
