/** The page frame: language, stylesheet, header with the person and sign-out, the main region. */
import type { Caller } from '../core/command.ts';
import { orgLabel } from '../domain/org-names.ts';
import type { Translate } from '../i18n/index.ts';
import { type Html, html } from './html.ts';

export interface PageOpts {
  t: Translate;
  locale: 'ja' | 'en';
  title: string;
  body: Html;
  /** the signed-in person and the session's CSRF token (for the sign-out form) */
  who?: { caller: Caller; csrf: string };
}

export function page(o: PageOpts): string {
  const { t } = o;
  const who = o.who;
  const name = who ? (who.caller.displayName ?? who.caller.identity) : '';
  const org = who?.caller.org ? orgLabel(who.caller.org, o.locale) : '';
  return `<!doctype html>\n${
    html`<html lang="${o.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} — ${t('dashboard.title')}</title>
<link rel="stylesheet" href="/dashboard/static/style.css">
</head>
<body>
<a class="skip" href="#main">${t('dashboard.skip')}</a>
<header>
<a class="brand" href="/dashboard/">${t('dashboard.title')}</a>
${
  who
    ? html`<nav aria-label="${t('dashboard.nav')}"><ul>
<li><a href="/dashboard/">${t('dashboard.overview')}</a></li>
<li><a href="/dashboard/figures">${t('dashboard.figures')}</a></li>
</ul></nav>
<div class="who"><span>${t('dashboard.signed_in_as', { name, org })}</span>
<form method="post" action="/dashboard/signout"><input type="hidden" name="csrf" value="${who.csrf}">
<button type="submit">${t('dashboard.signout')}</button></form></div>`
    : ''
}
</header>
<main id="main" tabindex="-1">
<h1>${o.title}</h1>
${o.body}
</main>
</body>
</html>`.value
  }\n`;
}
