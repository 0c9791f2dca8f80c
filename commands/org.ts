import { z } from 'zod';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { orgCode, text } from './args.ts';
import { defineCommand, type Group } from './types.ts';

export const orgGroup: Group = {
  name: 'org',
  aliases: ['組織'],
  summary: { ja: '組織（府省庁）の一覧と設定', en: 'Organisations (ministries and agencies)' },
  commands: [
    defineCommand({
      name: 'list',
      aliases: ['一覧'],
      schema: z.object({}),
      access: 'registered',
      summary: { ja: '組織の一覧を表示します', en: 'List the organisations' },
      usage: 'org list',
      writes: false,
      async run(ctx) {
        const orgs = await ctx.services.directory.listOrgs();
        const rows = orgs.map((o) => {
          const ch = o.channels.find((c) => c.platform === ctx.platform);
          const channel = ch
            ? `#${ch.name ?? ch.channelId}`
            : ctx.platform === 'console'
              ? `#${o.code}`
              : ctx.t('org.no_channel');
          return [o.code, o.nameJa, o.nameEn, channel, String(o._count.people)];
        });
        return reply.of([
          { kind: 'heading', text: ctx.t('org.list_title', { count: orgs.length }) },
          {
            kind: 'table',
            head: [
              ctx.t('org.code'),
              ctx.t('org.name_ja'),
              ctx.t('org.name_en'),
              ctx.t('org.channel'),
              ctx.t('org.people'),
            ],
            rows,
          },
        ]);
      },
    }),
    defineCommand({
      name: 'show',
      aliases: ['表示'],
      positional: ['org'],
      schema: z.object({ org: orgCode }),
      access: 'registered',
      summary: { ja: '組織の詳細を表示します', en: 'Show an organisation' },
      usage: 'org show <org>',
      writes: false,
      async run(ctx, { org }) {
        const o = await ctx.services.directory.org(org);
        const people = await ctx.services.directory.people(o.code);
        const all = await ctx.services.directory.listOrgs();
        const channels = all.find((x) => x.id === o.id)?.channels ?? [];
        return reply.of([
          { kind: 'heading', text: `${o.nameJa} / ${o.nameEn} (${o.code})` },
          {
            kind: 'fields',
            fields: [
              [ctx.t('org.role'), o.coordinator ? ctx.t('org.coordinator') : ctx.t('org.member')],
              [
                ctx.t('org.channel'),
                channels.map((c) => `${c.platform}: #${c.name ?? c.channelId}`).join(', ') ||
                  (ctx.platform === 'console' ? `console: #${o.code}` : ctx.t('org.no_channel')),
              ],
              [
                ctx.t('org.people'),
                people
                  .map(
                    (p) =>
                      `${p.identity} (${p.roles.map((r) => (r.position ? `${r.role}:${r.position}` : r.role)).join(',')})`,
                  )
                  .join('\n') || '-',
              ],
            ],
          },
        ]);
      },
    }),
    defineCommand({
      name: 'add',
      aliases: ['追加'],
      positional: ['org'],
      schema: z.object({
        org: z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z][a-z0-9-]{1,15}$/, 'input.org_code'),
        ja: text(200),
        en: text(200),
      }),
      access: ['admin'],
      summary: { ja: '組織を追加します', en: 'Add an organisation' },
      usage: 'org add <org> ja="…" en="…"',
      fields: { ja: { ja: '日本語の名称', en: 'Japanese name' }, en: { ja: '英語の名称', en: 'English name' } },
      writes: true,
      async run(ctx, a) {
        const o = await ctx.services.directory.addOrg(ctx.caller.identity, a.org, a.ja, a.en);
        return reply.text(ctx.t('org.added', { org: o.code, name: ctx.locale === 'ja' ? o.nameJa : o.nameEn }));
      },
    }),
    defineCommand({
      name: 'set',
      aliases: ['設定'],
      positional: ['org'],
      schema: z.object({
        org: orgCode,
        channel: z.string().trim().min(1).optional(),
        ja: text(200).optional(),
        en: text(200).optional(),
      }),
      access: ['admin'],
      summary: {
        ja: '組織のチャンネル（この基盤での）と名称を設定します',
        en: "Set the organisation's channel on this platform and its names",
      },
      usage: 'org set <org> [channel=<channel>] [ja="…"] [en="…"]',
      fields: {
        channel: {
          ja: 'チャンネル（このコマンドを送った基盤のもの）',
          en: 'Channel (on the platform the command came from)',
        },
        ja: { ja: '日本語の名称（組織の改称時）', en: 'Japanese name (when the organisation is renamed)' },
        en: { ja: '英語の名称（組織の改称時）', en: 'English name (when the organisation is renamed)' },
      },
      writes: true,
      async run(ctx, a) {
        if (a.channel === undefined && a.ja === undefined && a.en === undefined) {
          throw new UserError('org.nothing_to_set', { org: a.org });
        }
        const ch = a.channel === undefined ? null : await ctx.refs.channel(a.channel);
        if (a.channel !== undefined && !ch) throw new UserError('org.bad_channel', { channel: a.channel });
        const r = await ctx.services.directory.setOrg(ctx.caller.identity, a.org, {
          ja: a.ja,
          en: a.en,
          ...(ch ? { channel: { platform: ctx.platform, ...ch } } : {}),
        });
        const lines: string[] = [];
        if (r.renamed) {
          const { from } = r.renamed;
          lines.push(
            ctx.t('org.renamed', {
              org: r.org.code,
              from: `${from.ja} / ${from.en}`,
              to: `${r.org.nameJa} / ${r.org.nameEn}`,
            }),
          );
        }
        if (ch) lines.push(ctx.t('org.channel_set', { org: r.org.code, channel: ch.name, platform: ctx.platform }));
        return reply.text(lines.join('\n'));
      },
    }),
  ],
};
