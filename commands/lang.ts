import { z } from 'zod';
import { reply } from '../src/core/reply.ts';
import { translator } from '../src/i18n/index.ts';
import { choice } from './args.ts';
import { defineCommand, type Group } from './types.ts';

export const langGroup: Group = {
  name: 'lang',
  aliases: ['言語'],
  summary: { ja: '表示言語を設定します', en: 'Set your language' },
  commands: [
    defineCommand({
      name: null,
      positional: ['lang'],
      schema: z.object({ lang: choice(['ja', 'en']) }),
      access: 'registered',
      summary: { ja: 'ご自身の表示言語を設定します (ja / en)', en: 'Set your own language (ja / en)' },
      usage: 'lang ja|en',
      writes: true,
      async run(ctx, { lang }) {
        await ctx.services.directory.setLocale(ctx.caller.identity, lang);
        return reply.text(translator(lang)('lang.set'));
      },
    }),
  ],
};
