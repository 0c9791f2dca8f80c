import * as z from 'zod';
import { reply } from '../src/core/reply.ts';
import { dateStyle, formatDate } from '../src/domain/dates.ts';
import { translator } from '../src/i18n/index.ts';
import { choice } from './args.ts';
import { defineCommand, type Group } from './types.ts';

/** 和暦 / 西暦 (and full-width or capitalised forms) as typed, to the calendar code. */
const calendar = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    const s = v.normalize('NFKC').trim().toLowerCase();
    return s === '和暦' ? 'wareki' : s === '西暦' ? 'seireki' : s;
  },
  z.enum(['wareki', 'seireki'], { message: 'input.calendar' }),
);

export const langGroup: Group = {
  name: 'lang',
  aliases: ['言語'],
  summary: { ja: '表示言語と日付の表記を設定します', en: 'Set your language and how dates are shown' },
  commands: [
    defineCommand({
      name: null,
      positional: ['lang', 'calendar'],
      schema: z.object({ lang: choice(['ja', 'en']), calendar: calendar.optional() }),
      access: 'person',
      summary: {
        ja: 'ご自身の表示言語と、日本語での日付の表記（和暦・西暦）を設定します',
        en: 'Set your own language (ja, en) and how Japanese dates are written (wareki: Japanese era, seireki: Western)',
      },
      usage: 'lang ja|en [wareki|seireki]',
      fields: {
        lang: { ja: '表示言語（ja、en）', en: 'language (ja, en)' },
        calendar: {
          ja: '日付の表記: 和暦（wareki）、西暦（seireki）',
          en: 'calendar for Japanese dates (wareki, seireki)',
        },
      },
      writes: true,
      async run(ctx, { lang, calendar: cal }) {
        await ctx.services.directory.setLocale(ctx.caller.identity, lang, cal);
        const t = translator(lang);
        const lines = [t('lang.set')];
        if (cal) {
          const example = formatDate(ctx.clock.now(), dateStyle(lang, cal));
          lines.push(t('lang.calendar_set', { calendar: t(`lang.calendar.${cal}`), example }));
        }
        return reply.text(lines.join('\n'));
      },
    }),
  ],
};
