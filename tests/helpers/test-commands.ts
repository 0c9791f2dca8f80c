/**
 * A test-only command group (`qa`), registered through createApp's `groups` option so the
 * production registry stays clean: a form command, a reply with buttons, a channel post.
 */
import { z } from 'zod';
import { orgCode, text } from '../../commands/args.ts';
import { groups } from '../../commands/index.ts';
import { defineCommand, type Group } from '../../commands/types.ts';
import { reply } from '../../src/core/reply.ts';
import { DatabaseUnavailable } from '../../src/db/client.ts';
import { postToOrg } from '../../src/services/notify.ts';

/** runs of `qa flaky-db` per key, in this process */
const flaky = new Map<string, number>();
/** how many times `qa flaky-db key=<key>` has run in this process */
export const flakyRuns = (key: string) => flaky.get(key) ?? 0;

export const qaGroup: Group = {
  name: 'qa',
  aliases: ['試験'],
  summary: { ja: '試験用', en: 'Test only' },
  commands: [
    defineCommand({
      name: 'flaky-db',
      schema: z.object({ key: text(40) }),
      access: 'anyone',
      summary: { ja: '試験用（データベースが一度だけ使えない）', en: 'Test only (the database away once)' },
      usage: 'qa flaky-db key=…',
      writes: true,
      // the first run of each key meets the database away before anything committed (as
      // db.tx throws once its wait is over); the next run records the key
      async run(ctx, a) {
        const db = ctx.services.deps.db;
        const tries = (flaky.get(a.key) ?? 0) + 1;
        flaky.set(a.key, tries);
        if (tries === 1) throw new DatabaseUnavailable();
        await db.tx((tx) => tx.setting.create({ data: { key: `flaky-${a.key}`, value: String(tries) } }));
        return reply.text(`recorded ${a.key} on run ${tries}`);
      },
    }),
    defineCommand({
      name: 'form',
      positional: ['org'],
      schema: z.object({
        org: orgCode,
        name: text(60),
        level: z.enum(['low', 'high']),
        count: z.string().regex(/^\d+$/, 'input.format'),
        note: text(500).optional(),
      }),
      access: ['admin'],
      summary: { ja: '試験用フォーム', en: 'Test form' },
      usage: 'qa form <org> name="…" level=low|high count=N [note="…"]',
      fields: { name: { ja: '名称', en: 'Name' }, count: { ja: '件数（数字）', en: 'Count (digits)' } },
      form: true,
      writes: true,
      async run(ctx, a) {
        const o = await ctx.services.directory.addOrg(ctx.caller.identity, a.org, a.name, a.name);
        return reply.text(`created ${o.code} (${a.level}, ${a.count})`);
      },
    }),
    defineCommand({
      name: 'buttons',
      schema: z.object({}),
      access: 'anyone',
      summary: { ja: 'ボタン付きの返信', en: 'A reply with buttons' },
      usage: 'qa buttons',
      writes: false,
      async run() {
        return reply.of([{ kind: 'text', text: 'Pick one' }], {
          actions: [
            { label: 'Add org zz', command: 'org add zz ja="ゼット" en="Zed"', style: 'primary' },
            { label: 'Help', command: 'help' },
          ],
        });
      },
    }),
    defineCommand({
      name: 'notify',
      schema: z.object({ org: orgCode, text: text(500) }),
      access: 'registered',
      summary: { ja: '組織のチャンネルへ投稿', en: "Post to an organisation's channel" },
      usage: 'qa notify org=<org> text="…"',
      writes: true,
      async run(ctx, a) {
        const o = await ctx.services.directory.org(a.org);
        const deps = ctx.services.deps;
        await deps.db.tx((tx) =>
          postToOrg(
            deps,
            tx,
            o,
            () => ({
              blocks: [
                { kind: 'heading', text: `Notice for ${o.code}` },
                { kind: 'text', text: a.text },
              ],
            }),
            `qa:${ctx.requestId}`,
          ),
        );
        return reply.text(`posted to ${o.code}`, 'channel');
      },
    }),
  ],
};

export const testGroups: readonly Group[] = [...groups, qaGroup];
