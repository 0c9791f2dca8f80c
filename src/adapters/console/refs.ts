/** On the console, people are `console:<name>` (or `@name`) and channels are organisation codes. */
import type { RefResolver } from '../../core/command.ts';

const IDENTITY = /^(console:[\w.@-]+|slack:[UW][A-Z0-9]+|mattermost:[a-z0-9]{26})$/;

export const consoleRefs: RefResolver = {
  async user(ref) {
    const r = ref.trim();
    if (IDENTITY.test(r)) return r;
    const m = /^@?([\w.-]{1,64})$/.exec(r);
    return m ? `console:${m[1]}` : null;
  },
  async channel(ref) {
    const m = /^#?([\w.-]{1,80})$/.exec(ref.trim());
    return m ? { id: m[1] as string, name: m[1] as string } : null;
  },
};
