import * as z from 'zod';
import { reply } from '../src/core/reply.ts';
import { defineCommand, type Group } from './types.ts';

/** The audit chain (issue 22 item 3; docs/operations.md "Tamper evidence"). */
export const auditGroup: Group = {
  name: 'audit',
  aliases: ['監査'],
  summary: { ja: '監査記録の照合値', en: 'Audit trail checkpoints' },
  commands: [
    defineCommand({
      name: 'anchor',
      aliases: ['照合値'],
      schema: z.object({}),
      access: ['admin'],
      summary: {
        ja: '監査記録の末尾を照合値として調整機関のチャンネルと照合値ファイルに記録します',
        en: "Record the end of the audit trail as a checkpoint (coordinating office's channel and checkpoint file)",
      },
      usage: 'audit anchor',
      writes: true,
      async run(ctx) {
        const r = await ctx.services.anchors.anchorNow(ctx.caller.identity);
        if (!r.office) return reply.text(ctx.t('audit.anchored_no_office', { seq: r.seq, hash: r.hash }));
        const office = ctx.caller.locale === 'ja' ? r.office.nameJa : r.office.nameEn;
        return reply.text(ctx.t('audit.anchored', { seq: r.seq, hash: r.hash, office }));
      },
    }),
  ],
};
