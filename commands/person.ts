import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { emailAddress } from './args.ts';
import { defineCommand, type Group } from './types.ts';

/** `email=none` (or `-`, as for an organisation) removes the address. */
const personEmail = z.preprocess(
  (v) => (typeof v === 'string' && /^(none|なし)$/i.test(v.normalize('NFKC').trim()) ? '-' : v),
  emailAddress,
);

export const personGroup: Group = {
  name: 'person',
  aliases: ['個人'],
  summary: { ja: '担当者個人の設定', en: "A person's own settings" },
  commands: [
    defineCommand({
      name: 'set',
      aliases: ['設定'],
      positional: ['user'],
      schema: z.object({ user: z.string(), email: personEmail }),
      access: 'person',
      summary: {
        ja: '担当者のメールアドレス（チャットで届けられない場合の送信先）を設定します（管理者はどなたの分も、ご本人はご自身の分を設定できます）',
        en: "Set a person's e-mail address (where messages go when the bot does not run on their chat); an administrator for anyone, a person for themself",
      },
      usage: 'person set <user> email=<address>|email=none',
      fields: {
        email: {
          ja: 'メールアドレス（email=none で削除）',
          en: 'E-mail address (email=none removes it)',
        },
      },
      writes: true,
      async run(ctx, a) {
        const identity = await ctx.refs.user(a.user);
        if (!identity) throw new UserError('poc.bad_user', { user: a.user });
        const r = await ctx.services.directory.setPersonEmail(
          { identity: ctx.caller.identity, admin: ctx.caller.roles.has('admin') },
          identity,
          a.email,
        );
        return reply.text(
          r.email
            ? ctx.t('person.email_set', { user: r.identity, email: r.email })
            : ctx.t('person.email_cleared', { user: r.identity }),
        );
      },
    }),
  ],
};
