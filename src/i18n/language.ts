import { defineCatalog } from './catalog.ts';

/** The reader's own settings: language and how dates are written (issue 18). */
export const language = defineCatalog({
  ja: {
    'lang.calendar_set': '日付は{calendar}で表示します（例: {example}）。',
    'lang.calendar.wareki': '和暦',
    'lang.calendar.seireki': '西暦',
    'input.calendar': '日付の表記は 和暦（wareki）または 西暦（seireki）から指定してください',
  },
  en: {
    'lang.calendar_set':
      'Japanese dates will be shown in the {calendar}; English dates are always written like {example}.',
    'lang.calendar.wareki': 'Japanese era calendar',
    'lang.calendar.seireki': 'Western calendar',
    'input.calendar': 'the calendar is wareki (Japanese era) or seireki (Western)',
  },
});
