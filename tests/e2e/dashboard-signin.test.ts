/**
 * Issue 21, sign-in from chat, through the real HTTP routes: the one-time link (single use even
 * when two redemptions race, expiry, a GET that consumes nothing, tampered tokens), the cookie's
 * attributes, CSRF on the sign-out form, a session ended by any change of roles, and the audit.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await testApp({ now: '2026-11-25T01:00:00Z', env: { PUBLIC_URL: 'https://csirt.example.go.jp' } });
  await registerPersonas(t);
  base = `http://127.0.0.1:${await t.app.http.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await t.app.http.close();
  await t.close();
});

const tokenFor = async (who: string) => {
  const text = await t.say(who, 'dashboard');
  const m = /https:\/\/csirt\.example\.go\.jp\/dashboard\/signin\?t=([A-Za-z0-9_-]+)/.exec(text);
  assert.ok(m, text);
  return m[1] as string;
};
const redeem = (token: string) =>
  fetch(`${base}/dashboard/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token }).toString(),
  });
const cookieOf = (r: Response) => (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
const get = (path: string, cookie?: string) =>
  fetch(`${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const audits = async (action: string) =>
  (await t.app.db.prisma.auditRecord.findMany({ where: { action } })).map((a) => a.actor);

test('a link opens one session: GET consumes nothing, two redemptions at once, exactly one wins', async () => {
  const token = await tokenFor(P.coordinator);
  const page = await get(`/dashboard/signin?t=${token}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<button type="submit">サインイン<\/button>/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);

  const results = await Promise.all([redeem(token), redeem(token), redeem(token)]);
  const won = results.filter((r) => r.status === 303);
  assert.equal(won.length, 1, `statuses ${results.map((r) => r.status)}`);
  assert.deepEqual(results.map((r) => r.status).sort(), [303, 403, 403]);
  const setCookie = won[0]?.headers.get('set-cookie') ?? '';
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Secure/, 'PUBLIC_URL is https');
  const cookie = cookieOf(won[0] as Response);
  const overview = await get('/dashboard/', cookie);
  assert.equal(overview.status, 200);
  assert.match(await overview.text(), /全体概況/);
  assert.deepEqual(await audits('dashboard.signin'), [P.coordinator]);
  assert.deepEqual(await audits('dashboard.link'), [P.coordinator]);
});

test('expired, tampered and foreign tokens are refused; no page without a session', async () => {
  const token = await tokenFor(P.poc);
  for (const bad of [
    token.toUpperCase() === token ? `${token.slice(0, -1)}a` : token.toUpperCase(),
    `${token}\u200b`,
    token.replace(/[A-Za-z]/, (c) => String.fromCodePoint((c.codePointAt(0) as number) + 0xfee0)),
    '',
  ])
    assert.equal((await redeem(bad)).status, 403, JSON.stringify(bad));
  t.clock.advance(10 * 60_000 + 1);
  assert.equal((await redeem(token)).status, 403, 'expired after 10 minutes');
  const none = await get('/dashboard/');
  assert.equal(none.status, 401);
  assert.match(await none.text(), /\/csirt dashboard/);
  assert.equal((await get('/dashboard/', 'csirt_dashboard=forged-forged-forged-forged-00')).status, 401);
  // a person with no role gets no link
  assert.equal((await t.run(P.former, 'dashboard')).status, 'denied');
  assert.equal((await t.run(P.stranger, 'dashboard')).status, 'denied');
});

test('a change of roles ends the session at the next request; sign-out needs the CSRF token', async () => {
  const cookie = cookieOf(await redeem(await tokenFor(P.otherPoc)));
  assert.equal((await get('/dashboard/', cookie)).status, 200);
  // a role added is a change too: the session was opened for the roles it had
  assert.equal((await t.run(P.admin, `poc add ${P.otherPoc} org=mof role=ciso`)).status, 'ok');
  const after = await get('/dashboard/', cookie);
  assert.equal(after.status, 403);
  assert.match(await after.text(), /サインインを終了しました/);
  assert.equal((await get('/dashboard/', cookie)).status, 401, 'and the session is gone');
  assert.deepEqual(await audits('dashboard.session_ended'), [P.otherPoc]);

  const c2 = cookieOf(await redeem(await tokenFor(P.otherPoc)));
  const signout = (csrf?: string) =>
    fetch(`${base}/dashboard/signout`, {
      method: 'POST',
      headers: { cookie: c2, 'content-type': 'application/x-www-form-urlencoded' },
      body: csrf === undefined ? '' : new URLSearchParams({ csrf }).toString(),
    });
  assert.equal((await signout()).status, 403);
  assert.equal((await signout('not-the-token')).status, 403);
  assert.equal((await get('/dashboard/', c2)).status, 200, 'still signed in');
  const csrf = /name="csrf" value="([^"]+)"/.exec(await (await get('/dashboard/', c2)).text())?.[1];
  assert.ok(csrf);
  assert.equal((await signout(csrf)).status, 200);
  assert.equal((await get('/dashboard/', c2)).status, 401);
});
