/**
 * The directory: organisations, their channels, people and roles (PRODUCT.md §1–2).
 */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { PlatformName } from '../core/platform.ts';
import { isRole, ROLES, type Role } from '../core/roles.ts';
import type { Tx } from '../db/client.ts';
import type { Organization } from '../db/generated/sqlite/client.ts';
import { type Calendar, isCalendar } from '../domain/dates.ts';
import { sameName } from '../domain/names.ts';
import { aliasesOf, aliasHolder, canonicalOrgCode } from '../domain/org-codes.ts';
import { effectiveRoles, grantable } from '../domain/sharing.ts';
import { type DirectoryNames, isLocale, type Locale } from '../i18n/index.ts';
import { audit, type ServiceDeps } from './context.ts';
import { coordinatingOrg } from './coordinating-org.ts';
import { directoryNames } from './directory-names.ts';
import { seedDirectory, shippedAliases } from './directory-seed.ts';
import { newFeedToken } from './meetings.ts';
import { channelOwner } from './notify.ts';
import { decodeShortNames, encodeShortNames } from './org-names.ts';

export type Org = Organization;

/** What `org set` changes; fields left undefined stay as they are. */
export interface OrgChange {
  /** the channel on one platform */
  channel?: { platform: PlatformName; id: string; name: string };
  /** the short names, replacing the ones stored */
  short?: string[];
  /** the names (either or both): the organisation is renamed */
  ja?: string;
  en?: string;
  /** the e-mail address (stored form, commands/args.ts `emailAddress`), or null to remove it */
  email?: string | null;
}

/** What `org set` did: the organisation as it is now, and its former names when renamed. */
export interface OrgSet {
  org: Org;
  renamed: { from: { ja: string; en: string } } | null;
}

export const ORG_CODE = /^[a-z][a-z0-9-]{1,15}$/;

export class DirectoryService {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /**
   * Every start: the shipped directory brought in (all of it on the first start; see
   * directory-seed.ts) and the BOT_ADMINS, each change audited once.
   */
  async bootstrap(admins: readonly string[]): Promise<void> {
    await this.db.tx(async (tx) => {
      await seedDirectory(this.deps, tx);
      const coord = await coordinatingOrg(tx);
      for (const identity of admins) {
        let p = await tx.person.findUnique({ where: { identity }, include: { roles: true } });
        if (!p)
          p = await tx.person.create({
            data: { identity, orgId: coord?.id ?? null, calendarToken: newFeedToken() },
            include: { roles: true },
          });
        if (!p.roles.some((r) => r.role === 'admin')) {
          await tx.roleGrant.create({ data: { personId: p.id, role: 'admin' } });
          await audit(this.deps, tx, 'system', 'role.grant', identity, { role: 'admin', via: 'BOT_ADMINS' });
        }
      }
    });
  }

  /**
   * Who is calling: the roles that count now (src/domain/sharing.ts: a coordinating role on
   * record for someone outside the coordinating organisation counts for nothing), their
   * organisation and language. Unknown people have no roles.
   */
  async caller(
    identity: string,
    localeHint: Locale | null,
    displayName: string | null,
    fallback: Locale,
  ): Promise<Caller> {
    const p = await this.person(identity);
    const locale: Locale = (p?.locale && isLocale(p.locale) ? p.locale : null) ?? localeHint ?? fallback;
    const fallbackCalendar = this.deps.calendar ?? 'wareki';
    const calendar: Calendar = p?.calendar && isCalendar(p.calendar) ? p.calendar : fallbackCalendar;
    if (!p) return { identity, personId: null, displayName, roles: new Set(), org: null, locale, calendar };
    return {
      identity,
      personId: p.id,
      displayName: p.displayName ?? displayName,
      roles: effectiveRoles(p.roles.map((r) => r.role).filter(isRole), !!p.org?.coordinator),
      org: p.org
        ? { id: p.org.id, code: p.org.code, nameJa: p.org.nameJa, nameEn: p.org.nameEn, coordinator: p.org.coordinator }
        : null,
      locale,
      calendar,
    };
  }

  /**
   * The person with their roles and organisation, in one statement (every command asks: the
   * model API's include cost three statements and their query plans).
   */
  private async person(identity: string): Promise<{
    id: number;
    displayName: string | null;
    locale: string | null;
    calendar: string | null;
    roles: { role: string }[];
    org: { id: number; code: string; nameJa: string; nameEn: string; coordinator: boolean } | null;
  } | null> {
    const rows = await this.db.query<{
      id: number | bigint;
      displayName: string | null;
      locale: string | null;
      calendar: string | null;
      role: string | null;
      orgId: number | bigint | null;
      code: string | null;
      nameJa: string | null;
      nameEn: string | null;
      coordinator: boolean | number | bigint | null;
    }>(
      this.db.prisma,
      `SELECT p.id, p."displayName", p.locale, p.calendar, r.role,
              o.id AS "orgId", o.code, o."nameJa", o."nameEn", o.coordinator
         FROM "Person" p
         LEFT JOIN "Organization" o ON o.id = p."orgId"
         LEFT JOIN "RoleGrant" r ON r."personId" = p.id
        WHERE p.identity = ?
        ORDER BY r.id`,
      identity,
    );
    const first = rows[0];
    if (!first) return null;
    return {
      id: Number(first.id),
      displayName: first.displayName,
      locale: first.locale,
      calendar: first.calendar,
      roles: rows.flatMap((r) => (r.role === null ? [] : [{ role: r.role }])),
      org:
        first.orgId === null
          ? null
          : {
              id: Number(first.orgId),
              code: first.code as string,
              nameJa: first.nameJa as string,
              nameEn: first.nameEn as string,
              coordinator: first.coordinator === true || Number(first.coordinator) === 1,
            },
    };
  }

  listOrgs(): Promise<
    (Org & { channels: { platform: string; channelId: string; name: string | null }[]; _count: { people: number } })[]
  > {
    return this.db.prisma.organization.findMany({
      orderBy: { id: 'asc' },
      include: { channels: true, _count: { select: { people: true } } },
    });
  }

  /** The organisation of a code or an alias of it (src/domain/org-codes.ts). */
  async org(code: string): Promise<Org> {
    const o = await this.db.prisma.organization.findUnique({
      where: { code: canonicalOrgCode(code, shippedAliases()) },
    });
    if (!o) throw new UserError('org.not_found', { org: code });
    return o;
  }

  async coordinatorOrg(): Promise<Org> {
    const o = await coordinatingOrg(this.db.prisma);
    if (!o) throw new UserError('org.no_coordinator');
    return o;
  }

  /** The other codes people may type for an organisation (its aliases, from the shipped directory). */
  aliases(code: string): string[] {
    return aliasesOf(code, shippedAliases());
  }

  /** The names messages say (the coordinating organisation's), as the database holds them now. */
  names(): Promise<DirectoryNames> {
    return directoryNames(this.db.prisma);
  }

  async addOrg(actor: string, code: string, ja: string, en: string, wantedShort: readonly string[] = []): Promise<Org> {
    const c = code.toLowerCase();
    if (!ORG_CODE.test(c)) throw new UserError('org.bad_code', { org: code });
    // a code that is another organisation's alias would be read as that organisation everywhere
    const holder = aliasHolder(c, shippedAliases());
    if (holder !== null) throw new UserError('org.code_is_alias', { org: c, holder });
    return this.db.tx(async (tx) => {
      if (await tx.organization.findUnique({ where: { code: c } })) throw new UserError('org.exists', { org: c });
      await this.checkNames(tx, null, [ja, en]);
      const short = await this.checkShortNames(tx, null, wantedShort);
      const o = await tx.organization.create({
        data: { code: c, nameJa: ja, nameEn: en, shortNames: encodeShortNames(short) },
      });
      await audit(this.deps, tx, actor, 'org.add', c, { ja, en, ...(short.length > 0 ? { short } : {}) });
      return o;
    });
  }

  /**
   * `org set`: the names, the channel on one platform and/or the short names, in one
   * transaction (a refused part writes nothing). A channel already held by another organisation
   * on that platform is refused naming the holder; a short name that is another organisation's
   * name, short name or code is refused naming it. After a rename every message that names the
   * organisation — and, for the coordinating one, every `{coordinator}` — says the new name from
   * the next command on.
   */
  async setOrg(actor: string, code: string, change: OrgChange): Promise<OrgSet> {
    try {
      return await this.setOrgOnce(actor, code, change);
    } catch (e) {
      // another transaction took the channel between our check and our write (PostgreSQL):
      // the unique index refused it; say who holds it now, as the check would have
      const ch = change.channel;
      if (!ch || !isUniqueViolation(e)) throw e;
      const holder = await channelOwner(this.db.prisma, ch.platform, ch.id);
      if (!holder) throw e;
      throw new UserError('org.channel_taken', { channel: ch.name, platform: ch.platform, org: holder.code });
    }
  }

  private setOrgOnce(actor: string, code: string, change: OrgChange): Promise<OrgSet> {
    return this.db.tx(async (tx) => {
      const o = await tx.organization.findUnique({ where: { code: canonicalOrgCode(code, shippedAliases()) } });
      if (!o) throw new UserError('org.not_found', { org: code });
      let renamed: OrgSet['renamed'] = null;
      if (change.ja !== undefined || change.en !== undefined) {
        const to = { ja: change.ja ?? o.nameJa, en: change.en ?? o.nameEn };
        if (to.ja === o.nameJa && to.en === o.nameEn) throw new UserError('org.same_names', { org: o.code });
        await this.checkNames(tx, o, [to.ja, to.en]);
        // conditional on the names read: of two renames at once, the second is told
        const r = await tx.organization.updateMany({
          where: { id: o.id, nameJa: o.nameJa, nameEn: o.nameEn },
          data: { nameJa: to.ja, nameEn: to.en },
        });
        if (r.count !== 1) throw new UserError('org.changed_meanwhile', { org: o.code });
        renamed = { from: { ja: o.nameJa, en: o.nameEn } };
        await audit(this.deps, tx, actor, 'org.rename', o.code, { from: renamed.from, to });
      }
      if (change.channel) await this.assignChannel(tx, actor, o, change.channel);
      if (change.short) {
        const short = await this.checkShortNames(tx, o, change.short);
        await tx.organization.update({ where: { id: o.id }, data: { shortNames: encodeShortNames(short) } });
        await audit(this.deps, tx, actor, 'org.short', o.code, { short });
      }
      if (change.email !== undefined) {
        if (change.email === o.email) throw new UserError('org.email_same', { org: o.code, email: o.email ?? '-' });
        await tx.organization.update({ where: { id: o.id }, data: { email: change.email } });
        await audit(this.deps, tx, actor, 'org.email', o.code, { from: o.email, to: change.email });
      }
      return { org: await tx.organization.findUniqueOrThrow({ where: { id: o.id } }), renamed };
    });
  }

  /** The channel of an organisation on one platform; see {@link setOrg}. */
  async setChannel(
    actor: string,
    code: string,
    platform: PlatformName,
    channel: { id: string; name: string },
  ): Promise<void> {
    await this.setOrg(actor, code, { channel: { platform, ...channel } });
  }

  private async assignChannel(
    tx: Tx,
    actor: string,
    o: Org,
    channel: { platform: PlatformName; id: string; name: string },
  ): Promise<void> {
    const { platform } = channel;
    const holder = await channelOwner(tx, platform, channel.id);
    if (holder && holder.id !== o.id) {
      throw new UserError('org.channel_taken', {
        channel: channel.name,
        platform,
        org: holder.code,
      });
    }
    await tx.orgChannel.upsert({
      where: { orgId_platform: { orgId: o.id, platform } },
      create: { orgId: o.id, platform, channelId: channel.id, name: channel.name },
      update: { channelId: channel.id, name: channel.name },
    });
    await audit(this.deps, tx, actor, 'org.channel', o.code, { platform, channel: channel.id, name: channel.name });
  }

  /** Short names as they will be stored: unique once folded, none another organisation's. */
  /**
   * An organisation's official names are nobody else's code, name or short name, however spelt
   * (NFKC, case, dashes: sameName): two organisations under one name would make the anonymity
   * check and every reader take one for the other.
   */
  private async checkNames(tx: Tx, o: Org | null, names: readonly string[]): Promise<void> {
    const others = await tx.organization.findMany({ where: o ? { id: { not: o.id } } : {}, orderBy: { id: 'asc' } });
    for (const name of names)
      for (const other of others) {
        const theirs = [other.code, other.nameJa, other.nameEn, ...decodeShortNames(other.shortNames)];
        if (theirs.some((x) => sameName(x, name))) throw new UserError('org.name_taken', { name, org: other.code });
      }
  }

  private async checkShortNames(tx: Tx, o: Org | null, wanted: readonly string[]): Promise<string[]> {
    const short: string[] = [];
    for (const w of wanted) if (!short.some((x) => sameName(x, w))) short.push(w);
    if (short.length === 0) return short;
    const others = await tx.organization.findMany({ where: o ? { id: { not: o.id } } : {}, orderBy: { id: 'asc' } });
    for (const name of short) {
      for (const other of others) {
        const theirs = [other.code, other.nameJa, other.nameEn, ...decodeShortNames(other.shortNames)];
        if (theirs.some((x) => sameName(x, name)))
          throw new UserError('org.short_taken', { short: name, org: other.code });
      }
    }
    return short;
  }

  /**
   * Registers a person for an organisation and grants roles. The coordinating roles are refused
   * outside the coordinating organisation (nothing written); a primary or deputy named in place
   * of someone else is reported as `moved`, so the admin is told whose place it was.
   */
  async addPoc(
    actor: string,
    identity: string,
    code: string,
    roles: Role[],
    position: 'primary' | 'deputy' | null,
  ): Promise<{ created: boolean; added: Role[]; moved: { position: 'primary' | 'deputy'; from: string } | null }> {
    const o = await this.org(code);
    return this.db.tx(async (tx) => {
      const refused = roles.find((r) => !grantable(r, o.coordinator));
      if (refused) {
        const coord = await coordinatingOrg(tx);
        throw new UserError('poc.role_coordinating_only', {
          user: identity,
          org: o.code,
          role: refused,
          coord: coord?.code ?? '-',
        });
      }
      let p = await tx.person.findUnique({ where: { identity }, include: { roles: true } });
      const created = !p;
      if (p && p.orgId !== null && p.orgId !== o.id) {
        const other = await tx.organization.findUnique({ where: { id: p.orgId } });
        throw new UserError('poc.other_org', { user: identity, org: other?.code ?? '?' });
      }
      if (!p)
        p = await tx.person.create({
          data: { identity, orgId: o.id, calendarToken: newFeedToken() },
          include: { roles: true },
        });
      else if (p.orgId === null) await tx.person.update({ where: { id: p.id }, data: { orgId: o.id } });
      const added: Role[] = [];
      let moved: { position: 'primary' | 'deputy'; from: string } | null = null;
      for (const role of new Set(roles)) {
        const pos = role === 'poc' ? position : null;
        const existing = p.roles.find((r) => r.role === role);
        if (existing && existing.position === pos) continue;
        if (pos) {
          // one primary and one deputy per organisation: the new one replaces the old
          const holder = await tx.roleGrant.findFirst({
            where: { role: 'poc', position: pos, person: { orgId: o.id }, personId: { not: p.id } },
            include: { person: true },
          });
          if (holder) {
            await tx.roleGrant.update({ where: { id: holder.id }, data: { position: null } });
            moved = { position: pos, from: holder.person.identity };
          }
        }
        if (existing) await tx.roleGrant.update({ where: { id: existing.id }, data: { position: pos } });
        else await tx.roleGrant.create({ data: { personId: p.id, role, position: pos } });
        added.push(role);
      }
      if (added.length === 0 && !created) throw new UserError('poc.nothing_changed', { user: identity });
      await audit(this.deps, tx, actor, 'role.grant', identity, {
        org: o.code,
        roles: added,
        position,
        ...(moved ? { replaced: moved.from } : {}),
      });
      return { created, added, moved };
    });
  }

  async removePoc(actor: string, identity: string, role: Role | null): Promise<Role[]> {
    return this.db.tx(async (tx) => {
      const p = await tx.person.findUnique({ where: { identity }, include: { roles: true } });
      if (!p) throw new UserError('poc.not_found', { user: identity });
      const gone = p.roles.filter((r) => role === null || r.role === role);
      if (gone.length === 0) throw new UserError('poc.no_such_role', { user: identity, role: role ?? '-' });
      if (gone.some((r) => r.role === 'admin') && actor === identity) throw new UserError('poc.self_admin');
      if (gone.some((r) => r.role === 'admin') && (await tx.roleGrant.count({ where: { role: 'admin' } })) <= 1) {
        throw new UserError('poc.last_admin');
      }
      await tx.roleGrant.deleteMany({ where: { id: { in: gone.map((r) => r.id) } } });
      // the last role gone: the calendar feed stops, and its URL never comes back to life
      if (gone.length === p.roles.length)
        await tx.person.update({ where: { id: p.id }, data: { calendarToken: newFeedToken() } });
      await audit(this.deps, tx, actor, 'role.revoke', identity, { roles: gone.map((r) => r.role) });
      return gone.map((r) => r.role).filter(isRole);
    });
  }

  /** People holding any role (of one organisation), roles in the order of ROLES. */
  /**
   * A person's e-mail address (`person set <user> email=`; null removes it): an administrator
   * for anyone, a person for themself. Audited `person.email`.
   */
  async setPersonEmail(
    actor: { identity: string; admin: boolean },
    identity: string,
    email: string | null,
  ): Promise<{ identity: string; email: string | null }> {
    if (!actor.admin && actor.identity !== identity) throw new UserError('person.email_not_allowed');
    return this.db.tx(async (tx) => {
      const p = await tx.person.findUnique({ where: { identity } });
      if (!p) throw new UserError('poc.not_found', { user: identity });
      if (email === p.email) throw new UserError('person.email_same', { user: identity, email: email ?? '-' });
      // conditional on the address read: of two changes at once, the second is told
      const r = await tx.person.updateMany({ where: { id: p.id, email: p.email }, data: { email } });
      if (r.count !== 1) throw new UserError('person.changed_meanwhile', { user: identity });
      await audit(this.deps, tx, actor.identity, 'person.email', identity, { from: p.email, to: email });
      return { identity, email };
    });
  }

  async people(orgCode: string | null) {
    const list = await this.db.prisma.person.findMany({
      where: { roles: { some: {} }, ...(orgCode ? { org: { code: orgCode.toLowerCase() } } : {}) },
      include: { roles: true, org: true },
      orderBy: [{ orgId: 'asc' }, { id: 'asc' }],
    });
    const rank = (r: string) => (ROLES as readonly string[]).indexOf(r);
    for (const p of list) p.roles.sort((a, b) => rank(a.role) - rank(b.role));
    return list;
  }

  /** The person's language and, when given, how they read Japanese dates. */
  async setLocale(identity: string, locale: Locale, calendar?: Calendar): Promise<void> {
    await this.db.tx(async (tx) => {
      const p = await tx.person.findUnique({ where: { identity } });
      if (!p) throw new UserError('auth.unregistered');
      await tx.person.update({ where: { id: p.id }, data: calendar ? { locale, calendar } : { locale } });
      await audit(this.deps, tx, identity, 'person.locale', identity, calendar ? { locale, calendar } : { locale });
    });
  }
}

/** A write refused by a unique index (Prisma's P2002). */
function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'P2002';
}
