import * as z from 'zod';
import { UserError } from '../src/core/errors.ts';
import { reply } from '../src/core/reply.ts';
import { isRole, type Role } from '../src/core/roles.ts';
import { seesEveryOrg } from '../src/domain/sharing.ts';
import { csv, orgCode, yesNo } from './args.ts';
import { type Ctx, defineCommand, type Group } from './types.ts';

async function user(ctx: Ctx, ref: string): Promise<string> {
  const id = await ctx.refs.user(ref);
  if (!id) throw new UserError('poc.bad_user', { user: ref });
  return id;
}

const roleList = csv.refine((rs) => rs.length > 0 && rs.every(isRole), 'input.roles');

export const pocGroup: Group = {
  name: 'poc',
  aliases: ['窓口'],
  summary: { ja: '窓口担当者と役割', en: 'Points of contact and roles' },
  commands: [
    defineCommand({
      name: 'add',
      aliases: ['追加'],
      positional: ['user'],
      schema: z.object({
        user: z.string(),
        org: orgCode,
        role: roleList,
        primary: yesNo.optional(),
        deputy: yesNo.optional(),
      }),
      access: ['admin'],
      summary: { ja: '担当者を登録し、役割を付与します', en: 'Register a person and grant roles' },
      usage: 'poc add <user> org=<org> role=<role>[,<role>…] [primary=yes|deputy=yes]',
      fields: {
        role: {
          ja: 'admin, coordinator, approver, poc, ciso（複数はカンマ区切り）',
          en: 'admin, coordinator, approver, poc, ciso (comma-separated)',
        },
      },
      writes: true,
      async run(ctx, a) {
        if (a.primary === 'yes' && a.deputy === 'yes') throw new UserError('poc.primary_and_deputy');
        const roles = a.role as Role[];
        const repeated = roles.find((r, i) => roles.indexOf(r) !== i);
        if (repeated) throw new UserError('poc.duplicate_role', { role: repeated });
        const position = a.primary === 'yes' ? 'primary' : a.deputy === 'yes' ? 'deputy' : null;
        if (position && !roles.includes('poc')) throw new UserError('poc.position_needs_poc');
        const identity = await user(ctx, a.user);
        const r = await ctx.services.directory.addPoc(ctx.caller.identity, identity, a.org, roles, position);
        const lines = [ctx.t('poc.added', { user: identity, org: a.org, roles: r.added.join(', ') || '-' })];
        if (r.moved)
          lines.push(ctx.t(`poc.${r.moved.position}_moved`, { org: a.org, from: r.moved.from, to: identity }));
        return reply.text(lines.join('\n'));
      },
    }),
    defineCommand({
      name: 'remove',
      aliases: ['削除'],
      positional: ['user'],
      schema: z.object({ user: z.string(), role: z.string().refine(isRole, 'input.roles').optional() }),
      access: ['admin'],
      summary: {
        ja: '役割を解除します（role= を省略するとすべての役割）',
        en: 'Revoke a role (all roles when role is omitted)',
      },
      usage: 'poc remove <user> [role=<role>]',
      writes: true,
      async run(ctx, a) {
        const identity = await user(ctx, a.user);
        const gone = await ctx.services.directory.removePoc(
          ctx.caller.identity,
          identity,
          (a.role as Role | undefined) ?? null,
        );
        return reply.text(ctx.t('poc.removed', { user: identity, roles: gone.join(', ') }));
      },
    }),
    defineCommand({
      name: 'list',
      aliases: ['一覧'],
      schema: z.object({ org: orgCode.optional() }),
      access: 'registered',
      summary: { ja: '担当者の一覧を表示します', en: 'List the people and their roles' },
      usage: 'poc list [org=<org>]',
      writes: false,
      async run(ctx, a) {
        const nisc = seesEveryOrg(ctx.caller);
        const own = ctx.caller.org?.code ?? null;
        if (!nisc && a.org && a.org !== own) throw new UserError('poc.own_org_only');
        const people = await ctx.services.directory.people(nisc ? (a.org ?? null) : own);
        const rows = people.map((p) => [
          p.org?.code ?? '-',
          p.identity,
          p.roles.map((r) => r.role).join(', '),
          p.roles.find((r) => r.position)?.position === 'primary'
            ? ctx.t('poc.primary')
            : p.roles.find((r) => r.position)
              ? ctx.t('poc.deputy')
              : '',
          p.email ?? '',
        ]);
        if (rows.length === 0) return reply.text(ctx.t('poc.none'));
        return reply.of([
          {
            kind: 'table',
            head: [
              ctx.t('org.code'),
              ctx.t('poc.user'),
              ctx.t('poc.roles'),
              ctx.t('poc.position'),
              ctx.t('person.f.email'),
            ],
            rows,
          },
        ]);
      },
    }),
  ],
};
