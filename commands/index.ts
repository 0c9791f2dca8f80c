/** The explicit, ordered list of command groups the router reads (no scanning the disk). */
import { checkGroup } from './check.ts';
import { helpGroup } from './help.ts';
import { langGroup } from './lang.ts';
import { orgGroup } from './org.ts';
import { pocGroup } from './poc.ts';
import { systemGroup } from './system.ts';
import type { Group } from './types.ts';

export const groups: readonly Group[] = [];
const all: Group[] = [helpGroup(() => groups), langGroup, orgGroup, pocGroup, checkGroup, systemGroup];
(groups as Group[]).push(...all);
