import * as z from 'zod';
import { reply } from '../src/core/reply.ts';
import { keyOf } from '../src/i18n/index.ts';
import { viewerOf } from '../src/services/inspection-data.ts';
import { name, orgCode } from './args.ts';
import { confidentiality, exposure } from './inspection-args.ts';
import { defineCommand, type Group } from './types.ts';

/** Important systems of an organisation (PRODUCT.md §6). */
export const systemGroup: Group = {
  name: 'system',
  aliases: ['システム'],
  summary: { ja: '重要システムの登録と一覧', en: 'Important systems' },
  commands: [
    defineCommand({
      name: 'add',
      aliases: ['追加'],
      schema: z.object({ org: orgCode.optional(), name: name(200), confidentiality, exposure }),
      access: ['poc', 'coordinator'],
      summary: { ja: '重要システムを登録します', en: 'Register an important system' },
      usage: 'system add org=<org> name="…" confidentiality=1-3 exposure=internet|internal|isolated',
      fields: {
        org: {
          ja: '組織コード（窓口担当者はご所属の組織。{coordinator}の方は必須）',
          en: "organisation code (a PoC's own by default; required for staff of the {coordinator})",
        },
        name: { ja: 'システム名（200 文字以内）', en: 'system name (at most 200 characters)' },
        confidentiality: { ja: '取り扱う情報の機密性（1〜3）', en: 'confidentiality class of its information (1–3)' },
        exposure: {
          ja: '接続形態（インターネット接続（internet）、庁内ネットワークのみ（internal）、閉域（isolated））',
          en: 'Exposure (internet: reachable from the internet; internal: internal network only; isolated)',
        },
      },
      writes: true,
      async run(ctx, a) {
        const s = await ctx.services.inspections.addSystem(
          viewerOf(ctx.caller),
          a.org,
          a.name,
          a.confidentiality,
          a.exposure,
        );
        return reply.text(
          ctx.t('system.added', {
            id: s.id,
            name: s.name,
            confidentiality: s.confidentiality,
            exposure: ctx.t(keyOf('system.exposure_', s.exposure)),
          }),
        );
      },
    }),
    defineCommand({
      name: 'list',
      aliases: ['一覧'],
      schema: z.object({ org: orgCode.optional() }),
      access: 'registered',
      summary: { ja: '重要システムの一覧を表示します', en: 'List the important systems' },
      usage: 'system list [org=<org>]',
      writes: false,
      async run(ctx, a) {
        const list = await ctx.services.inspections.listSystems(viewerOf(ctx.caller), a.org);
        if (list.length === 0) return reply.text(ctx.t('system.none'));
        return reply.of([
          { kind: 'heading', text: ctx.t('system.list_title', { count: list.length }) },
          {
            kind: 'table',
            head: [
              ctx.t('system.id'),
              ctx.t('org.code'),
              ctx.t('system.name'),
              ctx.t('system.confidentiality'),
              ctx.t('system.exposure'),
            ],
            rows: list.map((s) => [
              s.id,
              s.org,
              s.name,
              String(s.confidentiality),
              ctx.t(keyOf('system.exposure_', s.exposure)),
            ]),
          },
        ]);
      },
    }),
  ],
};
