import { defineCatalog } from './catalog.ts';

/** Messages about the bot's own database (src/db). */
export const database = defineCatalog({
  ja: {
    'db.try_again':
      'ただいまデータベースに接続できないため、この操作を受け付けられませんでした（何も記録していません）。しばらくしてから、もう一度お試しください。',
  },
  en: {
    'db.try_again':
      'The bot cannot reach its database right now, so this was not accepted (nothing was recorded). Please try again in a moment.',
  },
});
