/**
 * Reachability drills (疎通確認, issue 20 item 3): the coordinating office sends every registered
 * PoC (every person holding the `poc` role, primary and deputy included) of the organisations
 * it names a direct message with a one-click answer; `status` and `export` show who answered
 * and how fast, and the reach rate within 15 and 60 minutes (src/domain/drill.ts).
 *
 * The checks go out through the outbox in the transaction that creates the drill, so a crash
 * after the reply still sends them and a retry never sends them twice (dedupe key per person).
 * Answer times are counted from the drill's start (src/domain/drill.ts says why). Answers are
 * taken for 24 hours; the first answer of each person stands (a second is acknowledged and
 * changes nothing; two at once write one answer: a conditional update).
 */
import type { Caller } from '../core/command.ts';
import { UserError } from '../core/errors.ts';
import type { Tx } from '../db/client.ts';
import type { Drill, DrillCheck, DrillOrg, Organization } from '../db/generated/sqlite/client.ts';
import { formatDateTime } from '../domain/dates.ts';
import { DRILL_OPEN_MS, type OrgReach, orgReach } from '../domain/drill.ts';
import { fiscalYearOf } from '../domain/fiscal-year.ts';
import { canonicalId } from '../domain/ids.ts';
import { seesEveryOrg, seesPeopleOf } from '../domain/sharing.ts';
import { audit, postStyle, type ServiceDeps } from './context.ts';
import { nextId } from './ids.ts';
import { dmPerson } from './notify.ts';

type Full = Drill & { orgs: DrillOrg[]; checks: DrillCheck[] };

/** One organisation of a drill as `status` and `export` show it. */
export interface DrillOrgView {
  code: string;
  nameJa: string;
  nameEn: string;
  reach: OrgReach;
  /** the checks sent to its PoCs; identities blank where the viewer may not see its people */
  checks: { identity: string; position: string | null; answeredAt: Date | null; afterMs: number | null }[];
}

export interface DrillView {
  drill: Drill;
  open: boolean;
  orgs: DrillOrgView[];
}

export interface DrillAnswer {
  drill: Drill;
  afterMs: number;
  /** true when this person had answered before: nothing was written */
  again: boolean;
}

/** The drill-answer command a check's button runs (on the console it is printed as the command). */
export function drillAnswerCommand(id: string): string {
  return `drill answer ${id}`;
}

export class DrillService {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** Only the coordinating office's roles (and admins) run drills and read their results. */
  private office(caller: Caller): number {
    if (caller.personId === null) throw new UserError('auth.unregistered');
    if (!seesEveryOrg(caller)) throw new UserError('auth.forbidden', { command: 'drill' });
    return caller.personId;
  }

  /** Starts a drill: one check per registered PoC of each organisation named (`all`: every one but the office's own). */
  async reach(
    caller: Caller,
    scope: 'all' | string[],
  ): Promise<{ drill: Drill; orgs: number; pocs: number; noPoc: string[] }> {
    const personId = this.office(caller);
    const now = this.deps.clock.now();
    return this.db.tx(async (tx) => {
      let orgs: Organization[];
      if (scope === 'all') {
        orgs = await tx.organization.findMany({ where: { coordinator: false }, orderBy: { id: 'asc' } });
      } else {
        const codes = [...new Set(scope.map((c) => c.toLowerCase()))];
        orgs = await tx.organization.findMany({ where: { code: { in: codes } }, orderBy: { id: 'asc' } });
        const missing = codes.find((c) => !orgs.some((o) => o.code === c));
        if (missing) throw new UserError('org.not_found', { org: missing });
      }
      if (orgs.length === 0) throw new UserError('drill.no_orgs');
      const people = await tx.person.findMany({
        where: { orgId: { in: orgs.map((o) => o.id) }, roles: { some: { role: 'poc' } } },
        include: { roles: true },
        orderBy: { id: 'asc' },
      });
      const id = await nextId(this.db, tx, 'DRL', fiscalYearOf(now));
      const closesAt = new Date(now.getTime() + DRILL_OPEN_MS);
      const drill = await tx.drill.create({
        data: {
          id,
          fiscalYear: fiscalYearOf(now),
          scope: scope === 'all' ? 'all' : orgs.map((o) => o.code).join(','),
          startedAt: now,
          closesAt,
          createdBy: personId,
        },
      });
      const noPoc: string[] = [];
      for (const o of orgs) {
        const pocs = people.filter((p) => p.orgId === o.id);
        if (pocs.length === 0) noPoc.push(o.code);
        await tx.drillOrg.create({ data: { drillId: id, orgId: o.id, code: o.code, pocs: pocs.length } });
        for (const p of pocs) {
          const position = p.roles.find((r) => r.role === 'poc')?.position ?? null;
          await tx.drillCheck.create({
            data: { drillId: id, personId: p.id, orgId: o.id, identity: p.identity, position, sentAt: now },
          });
          await dmPerson(
            this.deps,
            tx,
            p,
            (t, dates) => ({
              blocks: [
                { kind: 'heading', text: t('drill.post.heading', { id }) },
                { kind: 'text', text: t('drill.post.body', { id }) },
                { kind: 'context', text: t('drill.post.closes', { at: formatDateTime(closesAt, dates) }) },
              ],
              actions: [{ label: t('drill.post.button'), command: drillAnswerCommand(id), style: 'primary' }],
            }),
            `drill:${id}:check`,
            { type: 'drill', id },
          );
        }
      }
      await audit(this.deps, tx, caller.identity, 'drill.reach', id, {
        scope: drill.scope,
        orgs: orgs.map((o) => o.code),
        sentTo: people.map((p) => p.identity),
        noPoc,
        closesAt: closesAt.toISOString(),
      });
      return { drill, orgs: orgs.length, pocs: people.length, noPoc };
    });
  }

  /**
   * The caller's answer to a check sent to them. Refused, writing nothing: a drill that does not
   * exist, one not sent to the caller, one whose answers have closed, and a caller who no longer
   * holds the PoC role of the organisation it was sent for.
   */
  async answer(caller: Caller, rawId: string): Promise<DrillAnswer> {
    const id = canonicalId(rawId, 'DRL');
    const drill = await this.db.prisma.drill.findUnique({ where: { id } });
    if (!drill) throw new UserError('drill.not_found', { id: rawId });
    const check =
      caller.personId === null
        ? null
        : await this.db.prisma.drillCheck.findUnique({
            where: { drillId_personId: { drillId: id, personId: caller.personId } },
          });
    if (!check) {
      if (seesEveryOrg(caller)) throw new UserError('drill.not_recipient', { id });
      throw new UserError('drill.not_found', { id: rawId });
    }
    if (!caller.roles.has('poc') || caller.org?.id !== check.orgId) throw new UserError('drill.role_gone', { id });
    const after = (at: Date) => at.getTime() - drill.startedAt.getTime();
    if (check.answeredAt) return { drill, afterMs: after(check.answeredAt), again: true };
    const now = this.deps.clock.now();
    if (now.getTime() > drill.closesAt.getTime())
      throw new UserError('drill.closed', {
        id,
        at: {
          ja: formatDateTime(drill.closesAt, postStyle(this.deps, 'ja')),
          en: formatDateTime(drill.closesAt, postStyle(this.deps, 'en')),
        },
      });
    return this.db.tx(async (tx) => {
      // the first answer stands, also against one arriving at the same moment
      const won = await tx.drillCheck.updateMany({
        where: { drillId: id, personId: check.personId, answeredAt: null },
        data: { answeredAt: now },
      });
      if (won.count === 0) {
        const cur = await tx.drillCheck.findUniqueOrThrow({
          where: { drillId_personId: { drillId: id, personId: check.personId } },
        });
        return { drill, afterMs: after(cur.answeredAt ?? now), again: true };
      }
      await audit(this.deps, tx, caller.identity, 'drill.answer', id, {
        org: caller.org?.code ?? null,
        afterMs: after(now),
      });
      return { drill, afterMs: after(now), again: false };
    });
  }

  private async load(tx: Tx | ServiceDeps['db']['prisma'], id: string): Promise<Full | null> {
    return tx.drill.findUnique({ where: { id }, include: { orgs: true, checks: true } });
  }

  private view(caller: Caller, d: Full, orgs: Organization[]): DrillView {
    const now = this.deps.clock.now();
    const list = [...d.orgs].sort((a, b) => a.orgId - b.orgId);
    return {
      drill: d,
      open: now.getTime() <= d.closesAt.getTime(),
      orgs: list.map((o) => {
        const org = orgs.find((x) => x.id === o.orgId);
        const checks = d.checks
          .filter((c) => c.orgId === o.orgId)
          .sort((a, b) => a.personId - b.personId)
          .map((c) => ({
            identity: seesPeopleOf(caller, o.orgId) ? c.identity : '',
            position: c.position,
            answeredAt: c.answeredAt,
            afterMs: c.answeredAt ? c.answeredAt.getTime() - d.startedAt.getTime() : null,
          }));
        return {
          code: o.code,
          nameJa: org?.nameJa ?? o.code,
          nameEn: org?.nameEn ?? o.code,
          reach: orgReach({ pocs: checks.map((c) => ({ answeredAfterMs: c.afterMs })) }),
          checks,
        };
      }),
    };
  }

  /** A drill (the latest when no id is given) and the drills before it, newest first (at most `history`). */
  async status(
    caller: Caller,
    rawId: string | undefined,
    history = 6,
  ): Promise<{ view: DrillView; earlier: DrillView[] } | null> {
    this.office(caller);
    const p = this.db.prisma;
    let d: Full | null;
    if (rawId !== undefined) {
      d = await this.load(p, canonicalId(rawId, 'DRL'));
      if (!d) throw new UserError('drill.not_found', { id: rawId });
    } else {
      d = await p.drill.findFirst({
        orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
        include: { orgs: true, checks: true },
      });
      if (!d) return null;
    }
    const before = await p.drill.findMany({
      where: {
        OR: [{ startedAt: { lt: d.startedAt } }, { startedAt: d.startedAt, id: { lt: d.id } }],
      },
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      take: history,
      include: { orgs: true, checks: true },
    });
    const orgs = await p.organization.findMany();
    return { view: this.view(caller, d, orgs), earlier: before.map((b) => this.view(caller, b, orgs)) };
  }

  /** A drill for its CSV export. */
  async exportView(caller: Caller, rawId: string): Promise<DrillView> {
    this.office(caller);
    const d = await this.load(this.db.prisma, canonicalId(rawId, 'DRL'));
    if (!d) throw new UserError('drill.not_found', { id: rawId });
    return this.view(caller, d, await this.db.prisma.organization.findMany());
  }
}
