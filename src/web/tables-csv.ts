/**
 * The overview's tables as CSV (issue 21 item 4: every table downloadable), from the same
 * service calls as the page, so a download holds exactly what the page shows the person.
 */
import type { CsvCell } from '../domain/csv.ts';
import { dateStyle, formatDate } from '../domain/dates.ts';
import { STATUSES } from '../domain/incident-status.ts';
import { seesOrg } from '../domain/sharing.ts';
import { keyOf } from '../i18n/index.ts';
import { advisoryBoard } from '../services/advisory-board.ts';
import { viewerOf } from '../services/inspection-data.ts';
import type { PageCtx } from './routes.ts';

type Rows = CsvCell[][];

const orgsOf = async (c: PageCtx) => (await c.services.directory.listOrgs()).filter((o) => seesOrg(c.caller, o.id));

const name = (c: PageCtx, o: { nameJa: string; nameEn: string }) => (c.locale === 'ja' ? o.nameJa : o.nameEn);

export const TABLES: Record<string, (c: PageCtx) => Promise<Rows>> = {
  async incidents(c) {
    const { t } = c;
    const m = await c.services.incidentQueries.matrix(c.caller);
    const by = new Map(m.rows.map((r) => [r.orgId, r]));
    return [
      [
        t('dashboard.col.org_code'),
        t('dashboard.col.org'),
        ...STATUSES.map((s) => t(keyOf('incident.status.', s))),
        t('dashboard.col.total'),
        t('dashboard.col.overdue'),
        t('dashboard.col.soon'),
      ],
      ...(await orgsOf(c)).map((o) => {
        const r = by.get(o.id);
        return [
          o.code,
          name(c, o),
          ...STATUSES.map((s) => r?.byStatus[s] ?? 0),
          r?.total ?? 0,
          r?.overdue ?? 0,
          r?.soon ?? 0,
        ];
      }),
    ];
  },
  async advisories(c) {
    const { t } = c;
    const b = await advisoryBoard(c.services.deps, c.caller);
    const by = new Map(b.orgs.map((r) => [r.orgId, r]));
    return [
      [
        t('dashboard.col.org_code'),
        t('dashboard.col.org'),
        t('dashboard.adv.addressed'),
        t('dashboard.adv.delivered'),
        t('dashboard.adv.failed'),
        t('dashboard.adv.acknowledged'),
        t('dashboard.adv.awaiting'),
      ],
      ...(await orgsOf(c))
        .filter((o) => by.has(o.id))
        .map((o) => {
          const r = by.get(o.id);
          return [
            o.code,
            name(c, o),
            r?.addressed ?? 0,
            r?.delivered ?? 0,
            r?.failed ?? 0,
            r?.acknowledged ?? 0,
            r?.awaiting ?? 0,
          ];
        }),
    ];
  },
  async readiness(c) {
    const { t } = c;
    const style = dateStyle(c.locale, c.caller.calendar);
    const rows = await c.services.readiness.status(c.caller);
    return [
      [
        t('dashboard.col.org_code'),
        t('dashboard.col.org'),
        t('dashboard.col.state'),
        t('dashboard.readiness.established'),
        t('dashboard.readiness.primary'),
        t('dashboard.readiness.deputy'),
      ],
      ...rows.map((r) => [
        r.org.code,
        name(c, r.org),
        t(r.ready ? 'csirt.ready' : 'csirt.not_ready'),
        r.record?.established ? formatDate(r.record.established, style) : null,
        r.primary,
        r.deputy,
      ]),
    ];
  },
  async inspections(c) {
    const { t } = c;
    const v = await c.services.inspectionViews.status(viewerOf(c.caller), undefined, undefined);
    const areas = v.catalog.areas;
    const head = [t('dashboard.insp.completion'), ...areas.map((a) => a[c.locale]), t('dashboard.insp.score')];
    const r = (x: number | null) => (x === null ? null : Math.round(x));
    if (v.kind === 'all')
      return [
        [t('dashboard.fig.campaign'), t('dashboard.col.org_code'), t('dashboard.col.org'), ...head],
        ...v.orgs.map((o) => [
          v.campaign.id,
          o.org.code,
          name(c, o.org),
          o.total ? Math.round((o.answered / o.total) * 100) : null,
          ...areas.map((a) => r(o.risk.areas[a.id])),
          r(o.risk.score),
        ]),
      ];
    return [
      [t('dashboard.fig.campaign'), t('dashboard.insp.system'), ...head],
      ...v.org.risk.systems.map((s) => [
        v.campaign.id,
        s.systemId,
        Math.round(s.completion * 100),
        ...areas.map((a) => r(s.areas[a.id].score)),
        r(s.score),
      ]),
    ];
  },
};
