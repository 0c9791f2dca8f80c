/**
 * The overview: the coordinating office's picture of every organisation, or a ministry
 * person's (a CISO's) picture of their own. Each section asks the service the chat command asks,
 * with the signed-in person, so it holds exactly what they may see.
 */
import { STATUSES } from '../domain/incident-status.ts';
import { orgLabel } from '../domain/org-names.ts';
import { seesEveryOrg, seesOrg } from '../domain/sharing.ts';
import { keyOf } from '../i18n/index.ts';
import { type Html, html } from './html.ts';
import { page } from './layout.ts';
import { htmlResponse, type PageCtx } from './routes.ts';
import { advisoriesSection, cisoSection, inspectionsSection, readinessSection } from './sections.ts';

type Org = { id: number; code: string; nameJa: string; nameEn: string };

const num = (n: number, href: string, cls = '') =>
  n === 0 ? html`<td class="num zero">0</td>` : html`<td class="num ${cls}"><a href="${href}">${n}</a></td>`;

async function incidentsSection(c: PageCtx, visibleOrgs: Promise<Org[]>): Promise<Html> {
  const { t } = c;
  const m = await c.services.incidentQueries.matrix(c.caller);
  const orgs = await visibleOrgs;
  const byOrg = new Map(m.rows.map((r) => [r.orgId, r]));
  const q = (o: Org, extra: string) => `/dashboard/incidents?org=${encodeURIComponent(o.code)}${extra}`;
  return html`<h2 id="incidents">${t('dashboard.incidents')}</h2>
<div class="scroll"><table>
<thead><tr><th scope="col">${t('dashboard.col.org')}</th>${STATUSES.map(
    (s) => html`<th scope="col" class="num">${t(keyOf('incident.status.', s))}</th>`,
  )}<th scope="col" class="num">${t('dashboard.col.total')}</th><th scope="col" class="num">${t(
    'dashboard.col.overdue',
  )}</th><th scope="col" class="num">${t('dashboard.col.soon')}</th></tr></thead>
<tbody>${orgs.map((o) => {
    const r = byOrg.get(o.id);
    return html`<tr><th scope="row">${orgLabel(o, c.locale)}</th>${STATUSES.map((s) =>
      num(r?.byStatus[s] ?? 0, q(o, `&status=${s}`)),
    )}${num(r?.total ?? 0, q(o, ''))}${num(r?.overdue ?? 0, q(o, '&due=overdue'), 'bad')}${num(
      r?.soon ?? 0,
      q(o, '&due=soon'),
      'warn',
    )}</tr>`;
  })}</tbody>
</table></div>`;
}

export async function overviewPage(c: PageCtx) {
  // read once, beside the sections (which wait for it only to draw their rows)
  const orgs = c.services.directory.listOrgs().then((all) => all.filter((o) => seesOrg(c.caller, o.id)));
  orgs.catch(() => {}); // a failure is the sections' to report; never an unhandled rejection
  const title =
    seesEveryOrg(c.caller) || !c.caller.org
      ? c.t('dashboard.overview')
      : c.t('dashboard.overview_org', { org: c.locale === 'ja' ? c.caller.org.nameJa : c.caller.org.nameEn });
  const nisc = seesEveryOrg(c.caller);
  const [incidents, advisories, readiness, inspections] = await Promise.all([
    incidentsSection(c, orgs),
    advisoriesSection(c, orgs),
    readinessSection(c),
    inspectionsSection(c),
  ]);
  const body = html`<nav aria-label="${c.t('dashboard.sections')}"><ul class="toc">
<li><a href="#incidents">${c.t('dashboard.incidents')}</a></li>
<li><a href="#advisories">${c.t('dashboard.advisories')}</a></li>
<li><a href="#readiness">${c.t('dashboard.readiness')}</a></li>
<li><a href="#inspections">${c.t('dashboard.inspections')}</a></li>
${nisc ? '' : html`<li><a href="#plan">${c.t('dashboard.plan')}</a></li>`}
</ul></nav>
<p class="downloads">${c.t('dashboard.csv')}: <a href="/dashboard/csv/incidents.csv" download>${c.t('dashboard.incidents')}</a><a href="/dashboard/csv/advisories.csv" download>${c.t('dashboard.advisories')}</a><a href="/dashboard/csv/readiness.csv" download>${c.t('dashboard.readiness')}</a><a href="/dashboard/csv/inspections.csv" download>${c.t('dashboard.inspections')}</a><a href="/dashboard/figures">${c.t('dashboard.figures')}</a></p>
${incidents}${advisories}${readiness}${inspections}${nisc ? '' : cisoSection(c)}`;
  return htmlResponse(200, page({ ...c, who: c, title, body }));
}
