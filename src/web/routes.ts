/**
 * The dashboard's routes under /dashboard/ on the bot's one HTTP server. Every page but the
 * sign-in asks the session first (DashboardAuth.session: the person as the directory has them
 * now; a change of roles ends it), then reads through the same services, or runs the same
 * read-only chat command, as the chat would for that person.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import type { Caller, RefResolver } from '../core/command.ts';
import { isUserError } from '../core/errors.ts';
import type { PlatformName } from '../core/platform.ts';
import type { Router } from '../core/router.ts';
import type { Metrics } from '../http/metrics.ts';
import type { HttpRequest, HttpResponse, HttpServer } from '../http/server.ts';
import { codeKey, type Locale, type Translate, translator } from '../i18n/index.ts';
import type { Services } from '../services/index.ts';
import { csv, figuresCsv, figuresPage, intervalsCsv } from './figures.ts';
import { html } from './html.ts';
import { incidentListPage } from './incidents.ts';
import { page } from './layout.ts';
import { overviewPage } from './overview.ts';
import { replyHtml } from './reply-html.ts';
import { FONTS, STYLE } from './style.ts';
import { TABLES } from './tables-csv.ts';

export const COOKIE = 'csirt_dashboard';

const fontCache = new Map<string, Buffer>();

const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface DashboardDeps {
  services: Services;
  router: Router<Services>;
  metrics: Metrics;
  log: Logger;
  /** BOT_LOCALE: the language of pages shown before anyone signed in */
  locale: Locale;
  /** cookies marked Secure (PUBLIC_URL is https) */
  secure: boolean;
}

/** What a page handler gets: the signed-in person, their language, and the session's CSRF token. */
export interface PageCtx {
  caller: Caller;
  csrf: string;
  t: Translate;
  locale: Locale;
  services: Services;
  req: HttpRequest;
}

const NO_REFS: RefResolver = { user: async () => null, channel: async () => null };

function cookieOf(req: HttpRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function form(req: HttpRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}

export function htmlResponse(status: number, body: string, extra: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...extra }, body };
}

export function mountDashboard(http: HttpServer, d: DashboardDeps): void {
  const { services } = d;
  const auth = services.dashboard;
  const cookieAttrs = `Path=/dashboard; HttpOnly; SameSite=Strict${d.secure ? '; Secure' : ''}`;
  const clearCookie = `${COOKIE}=; ${cookieAttrs}; Max-Age=0`;

  const t0 = async (locale: Locale) => translator(locale, await services.directory.names());
  const message = async (status: number, locale: Locale, title: 'signin' | 'error', text: string, extra = {}) => {
    const t = await t0(locale);
    const heading = title === 'signin' ? t('dashboard.signin.title') : t('dashboard.title');
    return htmlResponse(
      status,
      page({ t, locale, title: heading, body: html`<p class="notice" role="alert">${text}</p>` }),
      extra,
    );
  };
  const refused = async (reason: string) => {
    d.metrics.authFailures.inc({ endpoint: 'dashboard', reason });
    d.log.warn({ endpoint: 'dashboard', reason }, 'dashboard request refused');
  };

  /** A page that needs a session: refused (and the cookie cleared) when there is none. */
  const withSession =
    (handler: (c: PageCtx) => Promise<HttpResponse>) =>
    async (req: HttpRequest): Promise<HttpResponse> => {
      const s = await auth.session(cookieOf(req, COOKIE));
      if ('refused' in s) {
        await refused(s.refused);
        const key = s.refused === 'roles_changed' ? 'dashboard.refused.roles_changed' : 'dashboard.refused.none';
        const t = await t0(d.locale);
        return message(s.refused === 'roles_changed' ? 403 : 401, d.locale, 'signin', t(key), {
          'set-cookie': clearCookie,
        });
      }
      const locale = s.caller.locale;
      const t = await t0(locale);
      if (req.method === 'POST' && !auth.csrfMatches(s, form(req).get('csrf'))) {
        await refused('csrf');
        return message(403, locale, 'error', t('dashboard.refused.csrf'));
      }
      const c: PageCtx = { caller: s.caller, csrf: s.csrf, t, locale, services, req };
      try {
        return await handler(c);
      } catch (e) {
        if (isUserError(e)) return message(404, locale, 'error', t(codeKey(e.code), e.params));
        const id = randomUUID();
        d.log.error({ err: e, requestId: id }, 'dashboard page failed');
        return message(500, locale, 'error', t('dashboard.error', { id }));
      }
    };

  /** A read-only chat command run as the signed-in person, drawn as a page. */
  const commandPage = async (c: PageCtx, text: string, title: string): Promise<HttpResponse> => {
    const found = d.router.find(text.split(' '));
    if (!found || found.def.writes) throw new Error(`not a read-only command: ${text}`);
    const platform = c.caller.identity.split(':')[0] as PlatformName;
    const o = await d.router.handle(
      { platform, identity: c.caller.identity, text, channelId: null, refs: NO_REFS, requestId: randomUUID() },
      c.caller,
    );
    if (o.status !== 'ok')
      return message(404, c.locale, 'error', o.reply.blocks.map((b) => ('text' in b ? b.text : '')).join('\n'));
    const back = html`<p><a href="/dashboard/">${c.t('dashboard.back')}</a></p>`;
    return htmlResponse(200, page({ ...c, who: c, title, body: html`${replyHtml(o.reply)}${back}` }));
  };

  http.route('GET', '/dashboard', async () => ({ status: 308, headers: { location: '/dashboard/' } }));
  http.routePrefix('GET', '/dashboard/', async (req) => {
    const p = req.path;
    if (p === '/dashboard/static/style.css')
      return {
        status: 200,
        headers: { 'content-type': 'text/css; charset=utf-8', ...SECURITY_HEADERS, 'cache-control': 'max-age=3600' },
        body: STYLE,
      };
    const font = p.startsWith('/dashboard/static/') ? FONTS[p.slice('/dashboard/static/'.length)] : undefined;
    if (font) {
      fontCache.set(font, fontCache.get(font) ?? readFileSync(createRequire(import.meta.url).resolve(font)));
      return {
        status: 200,
        headers: { 'content-type': 'font/woff2', ...SECURITY_HEADERS, 'cache-control': 'max-age=86400' },
        body: fontCache.get(font),
      };
    }
    if (p === '/dashboard/signin') {
      // a GET changes nothing (chat link previews fetch links): the person presses the button
      const token = req.query.get('t') ?? '';
      const t = await t0(d.locale);
      const body = html`<p>${t('dashboard.signin.lead')}</p>
<form method="post" action="/dashboard/signin"><input type="hidden" name="t" value="${token}">
<button type="submit">${t('dashboard.signin.button')}</button></form>`;
      return htmlResponse(200, page({ t, locale: d.locale, title: t('dashboard.signin.title'), body }));
    }
    if (p === '/dashboard/') return withSession(overviewPage)(req);
    if (p === '/dashboard/incidents') return withSession(incidentListPage)(req);
    const inc = /^\/dashboard\/incidents\/(INC-\d{4}-\d{1,6})$/.exec(p);
    if (inc?.[1]) {
      const id = inc[1];
      return withSession((c) => commandPage(c, `incident show ${id}`, id))(req);
    }
    const adv = /^\/dashboard\/advisories\/(ADV-\d{4}-\d{1,6})$/.exec(p);
    if (adv?.[1]) {
      const id = adv[1];
      return withSession((c) => commandPage(c, `advisory status ${id}`, id))(req);
    }
    const table = /^\/dashboard\/csv\/([a-z]+)\.csv$/.exec(p)?.[1];
    const make = table && Object.hasOwn(TABLES, table) ? TABLES[table] : undefined;
    if (table && make) return withSession(async (c) => csv(`${table}.csv`, await make(c)))(req);
    if (p === '/dashboard/figures') return withSession(figuresPage)(req);
    if (p === '/dashboard/figures.csv') return withSession(figuresCsv)(req);
    if (p === '/dashboard/figures-intervals.csv') return withSession(intervalsCsv)(req);
    if (p === '/dashboard/csirt')
      return withSession((c) => commandPage(c, 'csirt status', c.t('dashboard.readiness')))(req);
    if (p === '/dashboard/systems')
      return withSession((c) => commandPage(c, 'system list', c.t('dashboard.systems')))(req);
    if (p === '/dashboard/inspection') {
      const org = req.query.get('org') ?? '';
      const arg = /^[a-z][a-z0-9-]{0,31}$/.test(org) ? ` org=${org}` : '';
      return withSession((c) => commandPage(c, `check status${arg}`, c.t('dashboard.inspections')))(req);
    }
    if (p === '/dashboard/plan') {
      const budget = req.query.get('budget') ?? '';
      if (!/^[0-9]{1,13}$/.test(budget))
        return withSession(async (c) => message(400, c.locale, 'error', c.t('dashboard.plan.bad_budget')))(req);
      return withSession((c) => commandPage(c, `check plan budget=${budget}`, c.t('dashboard.plan')))(req);
    }
    return withSession(async (c) => message(404, c.locale, 'error', c.t('dashboard.not_found')))(req);
  });

  http.routePrefix('POST', '/dashboard/', async (req) => {
    if (req.path === '/dashboard/signin') {
      const opened = await auth.redeem(form(req).get('t') ?? '');
      if (!opened) {
        await refused('bad_link');
        const t = await t0(d.locale);
        return message(403, d.locale, 'signin', t('dashboard.refused.link'));
      }
      return {
        status: 303,
        headers: {
          location: '/dashboard/',
          'set-cookie': `${COOKIE}=${opened.session}; ${cookieAttrs}`,
          ...SECURITY_HEADERS,
        },
      };
    }
    if (req.path === '/dashboard/signout')
      return withSession(async (c) => {
        const s = await auth.session(cookieOf(req, COOKIE));
        if (!('refused' in s)) await auth.end(s.id, c.caller.identity, 'signout');
        return message(200, c.locale, 'signin', c.t('dashboard.signed_out'), { 'set-cookie': clearCookie });
      })(req);
    return { status: 404, body: 'not found' };
  });
}
