import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { foldOrgCode } from '../src/domain/org-codes.ts';
import { seesPeopleOf } from '../src/domain/sharing.ts';
import { decodeShortNames } from '../src/services/org-names.ts';
import { emailAddress, name, orgCode, shortNames } from './args.ts';
import { defineCommand, type Group } from './types.ts';

const SHORT_FIELD = {
  ja: '略称（農水省 など、カンマ区切り。組織名を伏せた情報提供元が本文で特定されないかの確認に使用）',
  en: 'Short names (comma-separated; used to check that anonymous sources are not named)',
};

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
          const aliases = ctx.services.directory.aliases(o.code);
          const code = aliases.length
            ? ctx.t('org.code_aliases', { code: o.code, aliases: aliases.join(', ') })
            : o.code;
          return [code, o.nameJa, o.nameEn, channel, String(o._count.people)];
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
        const all = await ctx.services.directory.listOrgs();
        const channels = all.find((x) => x.id === o.id)?.channels ?? [];
        const fields: [string, string][] = [
          [ctx.t('org.role'), o.coordinator ? ctx.t('org.coordinator') : ctx.t('org.member')],
          [ctx.t('org.f.short'), decodeShortNames(o.shortNames).join('、') || '-'],
          [ctx.t('org.f.aliases'), ctx.services.directory.aliases(o.code).join(', ') || '-'],
          [ctx.t('org.f.email'), o.email ?? '-'],
          [
            ctx.t('org.channel'),
            channels.map((c) => `${c.platform}: #${c.name ?? c.channelId}`).join(', ') ||
              (ctx.platform === 'console' ? `console: #${o.code}` : ctx.t('org.no_channel')),
          ],
        ];
        // people are listed only to those who may see them: NISC's roles and the organisation's own
        if (seesPeopleOf(ctx.caller, o.id)) {
          const people = await ctx.services.directory.people(o.code);
          const line = (p: (typeof people)[number]) =>
            `${p.identity} (${p.roles.map((r) => (r.position ? `${r.role}:${r.position}` : r.role)).join(',')})`;
          fields.push([ctx.t('org.people'), people.map(line).join('\n') || '-']);
        }
        return reply.of([
          { kind: 'heading', text: `${o.nameJa} / ${o.nameEn} (${o.code})` },
          { kind: 'fields', fields },
        ]);
      },
    }),
    defineCommand({
      name: 'add',
      aliases: ['追加'],
      positional: ['org'],
      schema: z.object({
        // folded as every typed code is (full-width, case, dashes, invisible characters), so that
        // ＮＣＯ is refused as the alias it is, not as a malformed code
        org: z
          .string()
          .transform(foldOrgCode)
          .pipe(z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'input.org_code')),
        ja: name(200),
        en: name(200),
        short: shortNames.optional(),
      }),
      access: ['admin'],
      summary: { ja: '組織を追加します', en: 'Add an organisation' },
      usage: 'org add <org> ja="…" en="…" [short="…,…"]',
      fields: {
        ja: { ja: '日本語の名称', en: 'Japanese name' },
        en: { ja: '英語の名称', en: 'English name' },
        short: SHORT_FIELD,
      },
      writes: true,
      async run(ctx, a) {
        const o = await ctx.services.directory.addOrg(ctx.caller.identity, a.org, a.ja, a.en, a.short ?? []);
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
        ja: name(200).optional(),
        en: name(200).optional(),
        short: shortNames.optional(),
        email: emailAddress.optional(),
      }),
      access: ['admin'],
      summary: {
        ja: '組織のチャンネル（この基盤）、名称、略称やメールアドレスを設定します',
        en: "Set the organisation's channel (on this platform), names, short names or e-mail address",
      },
      usage: 'org set <org> [channel=<channel>] [ja="…"] [en="…"] [short="…,…"] [email=<address>]',
      fields: {
        channel: {
          ja: 'チャンネル（このコマンドを送った基盤のもの）',
          en: 'Channel (on the platform the command came from)',
        },
        ja: { ja: '日本語の名称（組織の改称時）', en: 'Japanese name (when the organisation is renamed)' },
        en: { ja: '英語の名称（組織の改称時）', en: 'English name (when the organisation is renamed)' },
        short: SHORT_FIELD,
        email: {
          ja: 'メールアドレス（チャットで届けられない場合の送信先。- で削除）',
          en: 'E-mail address (where messages go when chat cannot take them; - removes it)',
        },
      },
      writes: true,
      async run(ctx, a) {
        if (
          a.channel === undefined &&
          a.ja === undefined &&
          a.en === undefined &&
          a.short === undefined &&
          a.email === undefined
        )
          throw new UserError('org.nothing_to_set');
        let channel: { platform: typeof ctx.platform; id: string; name: string } | undefined;
        if (a.channel !== undefined) {
          const ch = await ctx.refs.channel(a.channel);
          if (!ch) throw new UserError('org.bad_channel', { channel: a.channel });
          channel = { platform: ctx.platform, ...ch };
        }
        const { org: o, renamed } = await ctx.services.directory.setOrg(ctx.caller.identity, a.org, {
          channel,
          short: a.short,
          ja: a.ja,
          en: a.en,
          email: a.email,
        });
        const lines: string[] = [];
        if (renamed)
          lines.push(
            ctx.t('org.renamed', {
              org: o.code,
              from: `${renamed.from.ja} / ${renamed.from.en}`,
              to: `${o.nameJa} / ${o.nameEn}`,
            }),
          );
        if (channel)
          lines.push(ctx.t('org.channel_set', { org: o.code, channel: channel.name, platform: ctx.platform }));
        if (a.short !== undefined) {
          const short = decodeShortNames(o.shortNames);
          lines.push(
            short.length > 0
              ? ctx.t('org.short_set', { org: o.code, short: short.join('、') })
              : ctx.t('org.short_cleared', { org: o.code }),
          );
        }
        if (a.email !== undefined)
          lines.push(
            o.email
              ? ctx.t('org.email_set', { org: o.code, email: o.email })
              : ctx.t('org.email_cleared', { org: o.code }),
          );
        return reply.text(lines.join('\n'));
      },
    }),
  ],
};
