/** Command declarations are written against the application's services. */
import type { CommandContext, CommandGroup } from '../src/core/command.ts';
import type { Services } from '../src/services/index.ts';

export type Ctx = CommandContext<Services>;
export type Group = CommandGroup<Services>;
export { defineCommand } from '../src/core/command.ts';
