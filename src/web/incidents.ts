/** The incidents behind a cell of the overview: `incident list` for the signed-in person. */

import { dateStyle, formatDateTime } from '../domain/dates.ts';
import { STATUSES } from '../domain/incident-status.ts';
import { orgLabel } from '../domain/org-names.ts';
import { keyOf } from '../i18n/index.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import { htmlResponse, type PageCtx } from './routes.ts';

export async function incidentListPage(c: PageCtx) {
  const { t, req } = c;
  const org = req.query.get('org') ?? undefined;
  const s = req.query.get('status') ?? undefined;
  const status = s && (STATUSES as readonly string[]).includes(s) ? s : undefined;
  const dueQ = req.query.get('due');
  const due = dueQ === 'overdue' || dueQ === 'soon' ? dueQ : undefined;
  const pageNo = Math.max(1, Number.parseInt(req.query.get('page') ?? '1', 10) || 1);
  const r = await c.services.incidentQueries.list(c.caller, { org, status, due, page: pageNo });
  const style = dateStyle(c.locale, c.caller.calendar);
  const orgName = r.rows[0] ? orgLabel(r.rows[0].org, c.locale) : (org ?? '');
  const statusText = status
    ? t(keyOf('incident.status.', status))
    : due
      ? t(due === 'overdue' ? 'dashboard.col.overdue' : 'dashboard.col.soon')
      : t('dashboard.all_statuses');
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    return `/dashboard/incidents?${q.toString()}`;
  };
  const body = html`${
    r.rows.length === 0
      ? html`<p>${t('dashboard.none')}</p>`
      : html`<div class="scroll"><table>
<thead><tr><th scope="col">${t('incident.f.id')}</th><th scope="col">${t('dashboard.col.org')}</th><th scope="col">${t(
          'incident.f.status',
        )}</th><th scope="col">${t('incident.f.reported_at')}</th></tr></thead>
<tbody>${r.rows.map(
          (i) =>
            html`<tr><td><a href="/dashboard/incidents/${i.id}">${i.id}</a></td><td>${orgLabel(i.org, c.locale)}</td><td>${t(
              keyOf('incident.status.', i.status),
            )}</td><td>${formatDateTime(i.createdAt, style)}</td></tr>`,
        )}</tbody></table></div>
<p>${t('dashboard.page_of', { page: r.page, pages: r.pages, total: r.total })}</p>
<nav aria-label="${t('dashboard.page_of', { page: r.page, pages: r.pages, total: r.total })}">${
          r.page > 1 ? html`<a href="${link(r.page - 1)}">${t('dashboard.prev')}</a> ` : ''
        }${r.page < r.pages ? html`<a href="${link(r.page + 1)}">${t('dashboard.next')}</a>` : ''}</nav>`
  }<p><a href="/dashboard/">${t('dashboard.back')}</a></p>`;
  return htmlResponse(
    200,
    page({ ...c, who: c, title: t('dashboard.incidents_of', { org: orgName, status: statusText }), body }),
  );
}
