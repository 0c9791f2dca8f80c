import * as z from 'zod';
import { reply } from '../src/core/reply.ts';
import { parseId } from '../src/domain/ids.ts';
import { defineCommand, type Group } from './types.ts';

/** An incident, advisory or meeting id (the contract's forms). */
const purgeId = z.string().transform((s, ctx) => {
  const id = parseId(s, ['INC', 'ADV', 'MTG']);
  if (id) return id;
  ctx.addIssue({ code: 'custom', message: 'input.id', params: { example: 'INC-2026-0001' } });
  return z.NEVER;
});

export const exerciseGroup: Group = {
  name: 'exercise',
  aliases: ['訓練'],
  summary: { ja: '訓練（訓練として作成した記録の削除）', en: 'Exercises (purging the records made as exercises)' },
  commands: [
    defineCommand({
      name: 'purge',
      aliases: ['削除'],
      positional: ['id'],
      schema: z.object({ id: purgeId }),
      access: ['coordinator'],
      summary: {
        ja: '訓練として作成したインシデント・注意喚起等・PoC 会合の記録を削除します（監査記録は伏せ字にして連鎖を保ちます）',
        en: "Purge an exercise incident's, advisory's or meeting's records (audit records are redacted; the chain still verifies)",
      },
      usage: 'exercise purge <INC-id|ADV-id|MTG-id>',
      writes: true,
      async run(ctx, a) {
        const r = await ctx.services.exercises.purge(ctx.caller, a.id);
        return reply.text(ctx.t('exercise.purged', { id: r.id, deliveries: r.deliveries, audit: r.audit }));
      },
    }),
  ],
};
