/**
 * The overview's sections besides incidents: advisories (delivery and acknowledgement per
 * organisation), CSIRT readiness against the fiscal-year end, and inspections (completion and
 * the residual-risk heatmap). Each asks the service its chat command asks, with the person.
 */
import { isUserError } from '../core/errors.ts';
import { dateStyle, formatDate, formatDateTime } from '../domain/dates.ts';
import { orgLabel } from '../domain/org-names.ts';
import { advisoryBoard } from '../services/advisory-board.ts';
import { statusText } from '../services/advisory-format.ts';
import { viewerOf } from '../services/inspection-data.ts';
import type { StatusView } from '../services/inspection-views.ts';
import { deadlineOf } from '../services/readiness.ts';
import { type Html, html } from './html.ts';
import type { PageCtx } from './routes.ts';

type Org = { id: number; code: string; nameJa: string; nameEn: string };

const cell = (n: number, href: string | null, cls = '') =>
  n === 0 || !href
    ? html`<td class="num ${n === 0 ? 'zero' : cls}">${n}</td>`
    : html`<td class="num ${cls}"><a href="${href}">${n}</a></td>`;

export async function advisoriesSection(c: PageCtx, visibleOrgs: Promise<Org[]>): Promise<Html> {
  const { t } = c;
  const b = await advisoryBoard(c.services.deps, c.caller);
  const orgs = await visibleOrgs;
  const byOrg = new Map(b.orgs.map((r) => [r.orgId, r]));
  const style = dateStyle(c.locale, c.caller.calendar);
  const shown = orgs.filter((o) => byOrg.has(o.id));
  return html`<h2 id="advisories">${t('dashboard.advisories')}</h2>
${
  shown.length === 0
    ? html`<p>${t('dashboard.none')}</p>`
    : html`<div class="scroll"><table>
<caption>${t('dashboard.adv.by_org')}</caption>
<thead><tr><th scope="col">${t('dashboard.col.org')}</th><th scope="col" class="num">${t('dashboard.adv.addressed')}</th><th scope="col" class="num">${t('dashboard.adv.delivered')}</th><th scope="col" class="num">${t('dashboard.adv.failed')}</th><th scope="col" class="num">${t('dashboard.adv.acknowledged')}</th><th scope="col" class="num">${t('dashboard.adv.awaiting')}</th></tr></thead>
<tbody>${shown.map((o) => {
        const r = byOrg.get(o.id);
        return html`<tr><th scope="row">${orgLabel(o, c.locale)}</th>${cell(r?.addressed ?? 0, null)}${cell(r?.delivered ?? 0, null)}${cell(
          r?.failed ?? 0,
          null,
          'bad',
        )}${cell(r?.acknowledged ?? 0, null, 'good')}${cell(r?.awaiting ?? 0, null, 'warn')}</tr>`;
      })}</tbody></table></div>
<div class="scroll"><table>
<caption>${t('dashboard.adv.latest')}</caption>
<thead><tr><th scope="col">${t('advisory.f.id')}</th><th scope="col">${t('advisory.f.title')}</th><th scope="col">${t('advisory.f.status')}</th><th scope="col">${t('advisory.f.sent_at')}</th><th scope="col" class="num">${t('dashboard.adv.delivered')}</th><th scope="col" class="num">${t('dashboard.adv.acknowledged')}</th></tr></thead>
<tbody>${b.latest.map(
        (a) =>
          html`<tr><td><a href="/dashboard/advisories/${a.id}">${a.id}</a></td><td>${a.title}</td><td>${statusText(t, a)}</td><td>${
            a.sentAt ? formatDateTime(a.sentAt, style) : '-'
          }</td><td class="num">${a.delivered} / ${a.orgs}</td><td class="num">${a.asksAck ? `${a.acknowledged} / ${a.delivered}` : '-'}</td></tr>`,
      )}</tbody></table></div>`
}`;
}

export async function readinessSection(c: PageCtx): Promise<Html> {
  const { t } = c;
  const rows = await c.services.readiness.status(c.caller);
  const d = deadlineOf(c.services.deps.clock.now());
  const style = dateStyle(c.locale, c.caller.calendar);
  const ready = rows.filter((r) => r.ready).length;
  return html`<h2 id="readiness">${t('csirt.status_title', { deadline: formatDate(d.deadline, style), days: d.daysLeft })}</h2>
<p>${t('csirt.status_summary', { ready, total: rows.length })} <a href="/dashboard/csirt">${t('dashboard.details')}</a></p>
<div class="scroll"><table>
<thead><tr><th scope="col">${t('dashboard.col.org')}</th><th scope="col">${t('dashboard.col.state')}</th><th scope="col">${t(
    'dashboard.readiness.established',
  )}</th><th scope="col">${t('dashboard.readiness.primary')}</th><th scope="col">${t('dashboard.readiness.deputy')}</th></tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><th scope="row">${orgLabel(r.org, c.locale)}</th><td class="${r.ready ? 'good' : d.daysLeft <= 30 ? 'bad' : 'warn'}">${t(
        r.ready ? 'csirt.ready' : 'csirt.not_ready',
      )}</td><td>${r.record?.established ? formatDate(r.record.established, style) : '-'}</td><td>${r.primary ?? '-'}</td><td>${
        r.deputy ?? '-'
      }</td></tr>`,
  )}</tbody></table></div>`;
}

const heat = (score: number | null) =>
  score === null ? 'h0' : score < 20 ? 'h0' : score < 40 ? 'h1' : score < 60 ? 'h2' : score < 80 ? 'h3' : 'h4';
const pct = (n: number) => `${Math.round(n * 100)}%`;

export async function inspectionsSection(c: PageCtx): Promise<Html> {
  const { t } = c;
  let v: StatusView;
  try {
    v = await c.services.inspectionViews.status(viewerOf(c.caller), undefined, undefined);
  } catch (e) {
    if (!isUserError(e)) throw e;
    return html`<h2 id="inspections">${t('dashboard.inspections')}</h2><p>${t(e.code as 'check.no_campaign', e.params)}</p>`;
  }
  const areas = v.catalog.areas;
  const L = c.locale;
  const head = html`<th scope="col" class="num">${t('dashboard.insp.completion')}</th>${areas.map(
    (a) => html`<th scope="col" class="num">${a[L]}</th>`,
  )}<th scope="col" class="num">${t('dashboard.insp.score')}</th>`;
  const legend = html`<p class="legend">${t('dashboard.insp.legend')}</p>`;
  if (v.kind === 'all') {
    return html`<h2 id="inspections">${t('dashboard.inspections')}（${v.campaign.id}）</h2>${legend}
<div class="scroll"><table class="heat">
<thead><tr><th scope="col">${t('dashboard.col.org')}</th>${head}</tr></thead>
<tbody>${v.orgs.map(
      (o) =>
        html`<tr><th scope="row"><a href="/dashboard/inspection?org=${o.org.code}">${orgLabel(o.org, L)}</a></th><td class="num">${
          o.total ? pct(o.answered / o.total) : '-'
        }</td>${areas.map((a) => {
          const s = o.risk.areas[a.id];
          return html`<td class="cell ${heat(s)}">${s === null ? '-' : Math.round(s)}</td>`;
        })}<td class="cell ${heat(o.risk.score)}">${Math.round(o.risk.score)}</td></tr>`,
    )}</tbody></table></div>`;
  }
  const o = v.org;
  return html`<h2 id="inspections">${t('dashboard.inspections')}（${v.campaign.id}）</h2>${legend}
<p>${t('dashboard.insp.answered', { answered: o.answered, total: o.total })} <a href="/dashboard/inspection?org=${o.org.code}">${t(
    'dashboard.details',
  )}</a></p>
<div class="scroll"><table class="heat">
<thead><tr><th scope="col">${t('dashboard.insp.system')}</th>${head}</tr></thead>
<tbody>${o.risk.systems.map((s) => {
    const sys = o.systems.find((x) => x.id === s.systemId);
    return html`<tr><th scope="row">${s.systemId}${sys ? ` ${sys.name}` : ''}</th><td class="num">${pct(s.completion)}</td>${areas.map(
      (a) => html`<td class="cell ${heat(s.areas[a.id].score)}">${Math.round(s.areas[a.id].score)}</td>`,
    )}<td class="cell ${heat(s.score)}">${Math.round(s.score)}</td></tr>`;
  })}</tbody></table></div>`;
}

/** A CISO's own tools: the systems and the investment plan within a budget (`check plan`). */
export function cisoSection(c: PageCtx): Html {
  const { t } = c;
  return html`<h2 id="plan">${t('dashboard.plan')}</h2>
<p><a href="/dashboard/systems">${t('dashboard.systems')}</a></p>
<form method="get" action="/dashboard/plan">
<label for="budget">${t('dashboard.plan.budget')}</label>
<input id="budget" name="budget" inputmode="numeric" pattern="[0-9]{1,13}" required>
<button type="submit">${t('dashboard.plan.show')}</button>
</form>`;
}
