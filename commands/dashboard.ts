import * as z from 'zod';
import { reply } from '../src/core/reply.ts';
import { LINK_TTL_MS } from '../src/services/dashboard-auth.ts';
import { defineCommand, type Group } from './types.ts';

export const dashboardGroup: Group = {
  name: 'dashboard',
  aliases: ['ダッシュボード'],
  summary: { ja: 'ウェブのダッシュボードを開きます', en: 'Open the web dashboard' },
  commands: [
    defineCommand({
      name: null,
      schema: z.object({}),
      access: 'registered',
      summary: {
        ja: 'ダッシュボードへのサインイン用リンク（1回限り、数分間有効）を表示します',
        en: 'Reply with a one-time sign-in link to the dashboard (valid for minutes)',
      },
      usage: 'dashboard',
      writes: true,
      async run(ctx) {
        const { url } = await ctx.services.dashboard.issueLink(ctx.caller);
        return reply.text(ctx.t('dashboard.link', { url, minutes: LINK_TTL_MS / 60_000 }));
      },
    }),
  ],
};
