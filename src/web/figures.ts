/** Figures from the audit log: the page and its CSV downloads (src/services/figures.ts). */
import { toCsv } from '../domain/csv.ts';
import { dateStyle, formatDateTime } from '../domain/dates.ts';
import type { Measure } from '../domain/figures.ts';
import { keyOf } from '../i18n/index.ts';
import { auditFigures } from '../services/figures.ts';
import { html } from './html.ts';
import { page } from './layout.ts';
import { htmlResponse, type PageCtx } from './routes.ts';

const hours = (h: number) => (Number.isFinite(h) ? h.toFixed(1) : '-');
const measureText = (c: PageCtx, m: Measure) => c.t(keyOf('dashboard.measure.', m));

export async function figuresPage(c: PageCtx) {
  const { t } = c;
  const { figures } = await auditFigures(c.services.deps, c.caller);
  const head = [
    t('dashboard.col.org'),
    t('dashboard.fig.month'),
    t('dashboard.fig.measure'),
    t('dashboard.fig.n'),
    t('dashboard.fig.median'),
    t('dashboard.fig.p90'),
  ];
  const body = html`<p>${t('dashboard.fig.lead')}</p>
<p class="downloads"><a href="/dashboard/figures.csv" download>${t('dashboard.fig.csv')}</a><a href="/dashboard/figures-intervals.csv" download>${t(
    'dashboard.fig.csv_intervals',
  )}</a></p>
${
  figures.length === 0
    ? html`<p>${t('dashboard.none')}</p>`
    : html`<div class="scroll"><table>
<thead><tr>${head.map((h, i) => html`<th scope="col"${i >= 3 ? html` class="num"` : ''}>${h}</th>`)}</tr></thead>
<tbody>${figures.map(
        (f) =>
          html`<tr><th scope="row">${f.org}</th><td>${f.month}</td><td>${measureText(c, f.measure)}</td><td class="num">${f.n}</td><td class="num">${hours(
            f.median,
          )}</td><td class="num">${hours(f.p90)}</td></tr>`,
      )}</tbody></table></div>`
}`;
  return htmlResponse(200, page({ ...c, who: c, title: t('dashboard.figures'), body }));
}

export function csv(name: string, rows: (string | number | null)[][]) {
  return {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
      'x-content-type-options': 'nosniff',
    },
    body: toCsv(rows),
  };
}

export async function figuresCsv(c: PageCtx) {
  const { t } = c;
  const { figures } = await auditFigures(c.services.deps, c.caller);
  return csv('figures.csv', [
    [
      t('dashboard.col.org'),
      t('dashboard.fig.month'),
      t('dashboard.fig.measure'),
      t('dashboard.fig.n'),
      t('dashboard.fig.median'),
      t('dashboard.fig.p90'),
    ],
    ...figures.map((f) => [f.org, f.month, measureText(c, f.measure), f.n, hours(f.median), hours(f.p90)]),
  ]);
}

export async function intervalsCsv(c: PageCtx) {
  const { t } = c;
  const style = dateStyle(c.locale, c.caller.calendar);
  const { intervals } = await auditFigures(c.services.deps, c.caller);
  return csv('figures-intervals.csv', [
    [
      t('dashboard.col.org'),
      t('dashboard.fig.month'),
      t('dashboard.fig.measure'),
      t('dashboard.fig.subject'),
      t('dashboard.fig.from_seq'),
      t('dashboard.fig.from'),
      t('dashboard.fig.to_seq'),
      t('dashboard.fig.to'),
      t('dashboard.fig.hours'),
    ],
    ...intervals.map((i) => [
      i.org,
      i.month,
      measureText(c, i.measure),
      i.subject,
      i.fromSeq,
      formatDateTime(i.from, style),
      i.toSeq,
      formatDateTime(i.to, style),
      hours(i.hours),
    ]),
  ]);
}
