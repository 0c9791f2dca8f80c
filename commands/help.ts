import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import type { Block } from '../src/core/reply.ts';
import { reply } from '../src/core/reply.ts';
import { allowed } from '../src/core/roles.ts';
import { defineCommand, type Group } from './types.ts';

/** help is built from the registry: it shows only what the caller may run. */
export function helpGroup(all: () => readonly Group[]): Group {
  return {
    name: 'help',
    aliases: ['ヘルプ'],
    summary: { ja: '使い方を表示します', en: 'Show how to use the bot' },
    commands: [
      defineCommand({
        name: null,
        positional: ['command', 'sub'],
        schema: z.object({ command: z.string().optional(), sub: z.string().optional() }),
        access: 'anyone',
        summary: { ja: '使い方を表示します', en: 'Show how to use the bot' },
        usage: 'help [command] [subcommand]',
        writes: false,
        async run(ctx, { command, sub }) {
          const may = (a: Parameters<typeof allowed>[0]) => allowed(a, ctx.caller.roles, ctx.caller.personId !== null);
          const L = ctx.locale;
          // help texts may name the coordinating organisation ({coordinator}): filled from the directory
          const say = ctx.t.fill;
          if (command) {
            const g = all().find(
              (x) => x.name === command.normalize('NFKC').toLowerCase() || x.aliases.includes(command),
            );
            // `help poc add`: that subcommand's help alone
            const named = sub
              ? g?.commands.filter((c) => c.name === sub.normalize('NFKC').toLowerCase() || c.aliases?.includes(sub))
              : g?.commands;
            const visible = named?.filter((c) => may(c.access)) ?? [];
            if (!g || visible.length === 0) {
              throw new UserError('help.unknown', { name: sub ? `${command} ${sub}` : command });
            }
            const blocks: Block[] = [
              { kind: 'heading', text: `/csirt ${g.name} (${g.aliases.join(', ')}) — ${say(g.summary[L])}` },
            ];
            for (const c of visible) {
              blocks.push({ kind: 'code', text: `/csirt ${c.usage}` });
              blocks.push({ kind: 'text', text: say(c.summary[L]) });
              const fields = Object.entries(c.fields ?? {});
              if (fields.length) blocks.push({ kind: 'fields', fields: fields.map(([k, v]) => [k, say(v[L])]) });
            }
            return reply.of(blocks);
          }
          const rows: string[][] = [];
          for (const g of all()) {
            for (const c of g.commands)
              if (may(c.access))
                rows.push([
                  `/csirt ${c.usage
                    .split(' ')
                    .slice(0, c.name ? 2 : 1)
                    .join(' ')}`,
                  say(c.summary[L]),
                ]);
          }
          return reply.of([
            { kind: 'heading', text: ctx.t('help.title') },
            { kind: 'table', head: [ctx.t('help.command'), ctx.t('help.what')], rows },
            { kind: 'context', text: ctx.t('help.more') },
          ]);
        },
      }),
    ],
  };
}
