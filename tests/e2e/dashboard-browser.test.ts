/**
 * Issue 21 in a real browser (Debian's headless Chromium through playwright-core): a person
 * signs in through the link `/csirt dashboard` gives on the console, sees the overview, follows
 * a cell to an incident; a ministry person sees only their organisation; a used or expired link
 * and a person whose role was removed are refused; axe-core finds nothing serious or critical.
 */
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { type TestApp, testApp } from '../helpers/app.ts';
import { chromiumMissing, launch, seriousA11yViolations, type TestBrowser } from '../helpers/browser.ts';
import { PERSONAS as P, registerPersonas } from '../helpers/personas.ts';

const missing = chromiumMissing();

describe.skipIf(missing !== null)(`dashboard in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let t: TestApp;
  let b: TestBrowser;

  beforeAll(async () => {
    t = await testApp({ now: '2026-11-25T01:00:00Z' });
    await registerPersonas(t);
    for (const [who, cmd] of [
      [P.poc, 'report category=malware summary="MAFF 端末感染"'],
      [P.otherPoc, 'report category=phishing summary="MOF フィッシング"'],
      [P.coordinator, 'report category=scan summary="MHLW 走査" org=mhlw'],
    ] as const) {
      const o = await t.run(who, cmd);
      assert.equal(o.status, 'ok', JSON.stringify(o.reply));
    }
    // an advisory to maff and mof, acknowledged by maff; an inspection maff answered
    const due = '2027-01-29';
    for (const [who, cmd] of [
      [
        P.coordinator,
        'advisory draft title="標的型メールへの注意" body="業務連絡を装ったメールに注意してください。" severity=high tlp=green audience=maff,mof',
      ],
      [P.coordinator, 'advisory submit ADV-2026-0001'],
      [P.approver, 'advisory approve ADV-2026-0001'],
      [P.poc, 'advisory ack ADV-2026-0001'],
      [P.coordinator, `check campaign open due=${due} audience=maff,mof`],
      [P.poc, 'system add name="電子申請システム" confidentiality=3 exposure=internet'],
      [P.poc, 'system add name="人事給与システム" confidentiality=2 exposure=internal'],
      [P.poc, 'check answer CMP-2026-0001 system=SYS-maff-001 item=ENT-01 status=missing cost=2000000'],
      [P.poc, 'check answer CMP-2026-0001 system=SYS-maff-001 item=EXT-02 status=missing cost=1500000'],
      [P.poc, 'check answer CMP-2026-0001 system=SYS-maff-002 item=VIO-01 status=implemented'],
    ] as const) {
      const o = await t.run(who, cmd);
      assert.equal(o.status, 'ok', `${cmd}: ${JSON.stringify(o.reply)}`);
    }
    await t.app.http.listen(0, '127.0.0.1');
    b = await launch();
  }, 240_000);
  afterAll(async () => {
    await b?.close();
    await t?.app.http.close();
    await t?.close();
  });

  /** The link the console prints for `dashboard`. */
  const linkFor = async (who: string) => {
    const text = await t.say(who, 'dashboard');
    const m = /(http:\/\/127\.0\.0\.1:\d+\/dashboard\/signin\?t=[A-Za-z0-9_-]+)/.exec(text);
    assert.ok(m, `a sign-in link in: ${text}`);
    return m[1] as string;
  };

  const signIn = async (who: string): Promise<{ ctx: BrowserContext; page: Page; link: string }> => {
    const link = await linkFor(who);
    const ctx = await b.browser.newContext();
    const page = await ctx.newPage();
    await page.goto(link);
    await page.getByRole('button', { name: 'サインイン' }).click();
    await page.waitForURL(/\/dashboard\/$/);
    return { ctx, page, link };
  };

  test('the coordinator signs in, sees every organisation, follows a cell to an incident; accessible', async () => {
    const { ctx, page, link } = await signIn(P.coordinator);
    assert.equal(await page.locator('h1').textContent(), '全体概況');
    const table = page.locator('table').first();
    for (const org of ['農林水産省', '財務省', '厚生労働省'])
      assert.match((await table.textContent()) ?? '', new RegExp(org));
    assert.deepEqual(await seriousA11yViolations(page), [], 'overview');
    const adv = page.locator('table', { has: page.locator('caption', { hasText: '組織別' }) });
    // addressed, delivered, failed, acknowledged, awaiting
    assert.deepEqual(await adv.locator('tr', { hasText: '農林水産省' }).locator('td').allTextContents(), [
      '1',
      '1',
      '0',
      '1',
      '0',
    ]);
    assert.deepEqual(await adv.locator('tr', { hasText: '財務省' }).locator('td').allTextContents(), [
      '1',
      '1',
      '0',
      '0',
      '1',
    ]);
    assert.match((await page.locator('#readiness').textContent()) ?? '', /CSIRT 体制の整備状況/);
    assert.match((await page.locator('table.heat').textContent()) ?? '', /農林水産省/);
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/dashboard-overview.png', fullPage: true });
    // the advisory's page is `advisory status` as the chat shows it
    await page.getByRole('link', { name: 'ADV-2026-0001' }).click();
    assert.match((await page.locator('main').textContent()) ?? '', /標的型メールへの注意/);
    assert.deepEqual(await seriousA11yViolations(page), [], 'advisory page');
    await page.goBack();

    // the maff row's 報告受付 cell → the list → the incident
    const row = page.locator('tr', { has: page.locator('th', { hasText: '農林水産省' }) });
    await row.locator('a').first().click();
    await page.waitForURL(/\/dashboard\/incidents\?org=maff/);
    assert.deepEqual(await seriousA11yViolations(page), [], 'incident list');
    await page.getByRole('link', { name: 'INC-2026-0001' }).click();
    await page.waitForURL(/\/dashboard\/incidents\/INC-2026-0001$/);
    assert.match((await page.locator('main').textContent()) ?? '', /MAFF 端末感染/);
    assert.deepEqual(await seriousA11yViolations(page), [], 'incident page');

    // keyboard: the skip link is the first stop and leads to the content
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.className'), 'skip');

    // the link is spent: a second browser is refused
    const other = await b.browser.newContext();
    const p2 = await other.newPage();
    await p2.goto(link);
    await p2.getByRole('button', { name: 'サインイン' }).click();
    assert.match((await p2.locator('main').textContent()) ?? '', /このリンクは無効です/);
    assert.equal(await p2.evaluate('location.pathname'), '/dashboard/signin');
    await other.close();
    await ctx.close();
  }, 180_000);

  test("the CISO view: one organisation's picture, its systems and the investment plan", async () => {
    const { ctx, page } = await signIn(P.ciso);
    assert.equal(await page.locator('h1').textContent(), '農林水産省の概況');
    const main = (await page.locator('main').textContent()) ?? '';
    assert.doesNotMatch(main, /財務省|厚生労働省/);
    assert.match((await page.locator('table.heat').textContent()) ?? '', /SYS-maff-001/);
    assert.deepEqual(await seriousA11yViolations(page), [], 'CISO overview');
    if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: 'docs/dashboard-ciso.png', fullPage: true });
    await page.getByLabel('予算額（円）').fill('2000000');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/dashboard\/plan\?budget=2000000$/);
    assert.match((await page.locator('main').textContent()) ?? '', /ENT-01/);
    assert.deepEqual(await seriousA11yViolations(page), [], 'plan page');
    await page.goto(new URL('/dashboard/systems', page.url()).href);
    assert.match((await page.locator('main').textContent()) ?? '', /電子申請システム/);
    await ctx.close();
  }, 120_000);

  test('a ministry PoC sees only their own organisation', async () => {
    const { ctx, page } = await signIn(P.poc);
    const main = (await page.locator('main').textContent()) ?? '';
    assert.match(main, /農林水産省/);
    assert.doesNotMatch(main, /財務省|厚生労働省/);
    const other = await page.goto(new URL('/dashboard/incidents/INC-2026-0002', page.url()).href);
    assert.equal(other?.status(), 404);
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /MOF/);
    const list = await page.goto(new URL('/dashboard/incidents?org=mof', page.url()).href);
    assert.equal(list?.status(), 404);
    await ctx.close();
  }, 120_000);

  test('an expired link is refused; a person whose role is removed is signed out at the next page', async () => {
    const stale = await linkFor(P.otherPoc);
    t.clock.advance(11 * 60_000);
    const c1 = await b.browser.newContext();
    const p1 = await c1.newPage();
    await p1.goto(stale);
    await p1.getByRole('button', { name: 'サインイン' }).click();
    assert.match((await p1.locator('main').textContent()) ?? '', /このリンクは無効です/);
    await c1.close();

    const { ctx, page } = await signIn(P.ciso);
    assert.equal((await page.reload())?.status(), 200);
    assert.equal((await t.run(P.admin, `poc remove ${P.ciso}`)).status, 'ok');
    const after = await page.reload();
    assert.equal(after?.status(), 403);
    assert.match((await page.locator('main').textContent()) ?? '', /サインインを終了しました/);
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /農林水産省/);
    await ctx.close();
  }, 120_000);
});
