/**
 * Escalation until acknowledged with real bot processes on one database (SQLite file, or a
 * PostgreSQL database when TEST_PROVIDER=postgresql): the advisory is sent through the console
 * as the people would, then for each step two processes run together with their clock moved
 * past that step's time (BOT_CLOCK_OFFSET_MS, each pair further ahead). Every step reaches its
 * person exactly once, in order, whichever process fires the job and sends the message.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { DEFAULT_ESCALATION_CHAIN } from '../../src/domain/escalation.ts';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { testDb } from '../helpers/app.ts';
import { BotProcess } from '../helpers/bot-process.ts';
import { runBot } from '../helpers/console.ts';

const H = 3_600_000;
const MAFF = /受領確認のお願い（農林水産省）/;

/** Lines a person received as direct messages, across every process. */
const dmLines = (bots: readonly BotProcess[], user: string) =>
  bots.flatMap((b) => b.stdout.split('\n')).filter((l) => l.startsWith(`[@${user}] `) && MAFF.test(l));

async function until(cond: () => boolean, what: string, bots: readonly BotProcess[], ms = 45_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}\n${bots.map((b) => b.stdout).join('\n---\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('two processes at every step: primary, deputy, CISO, duty officer, each exactly once, in order', {
  timeout: 300_000,
}, async () => {
  const db = await testDb();
  const env = { DATABASE_URL: db.url, ESCALATION_CHAIN: DEFAULT_ESCALATION_CHAIN, LOG_LEVEL: 'error' };
  const as = async (user: string, script: string) => {
    const r = await runBot(script, { ...env, CONSOLE_USER: user, BOT_ADMINS: 'console:admin' });
    assert.equal(r.code, 0, `${user}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const adv = `ADV-${fiscalYearOf(new Date())}-0001`;
  const bots: BotProcess[] = [];
  try {
    await as(
      'admin',
      [
        'poc add console:nisc-coord org=nisc role=coordinator',
        'poc add console:nisc-duty org=nisc role=approver',
        'poc add console:maff-poc org=maff role=poc primary=yes',
        'poc add console:maff-deputy org=maff role=poc deputy=yes',
        'poc add console:maff-ciso org=maff role=ciso',
      ].join('\n'),
    );
    await as(
      'nisc-coord',
      [
        ...['日', '月', '火', '水', '木', '金', '土'].map((d) => `duty set ${d} console:nisc-duty`),
        'advisory draft title="VPN 装置の更新のお願い" body="詳細は本文" severity=high tlp=amber audience=maff',
        `advisory submit ${adv}`,
      ].join('\n'),
    );
    const approved = await as('nisc-duty', `advisory approve ${adv}\n`);
    assert.match(approved, new RegExp(`\\[#maff\\] ■ 【注意喚起】TLP:AMBER ${adv}`));

    // each step: two processes whose clocks are past it (10 minutes more per step than the waits
    // add up to, for the real seconds between the pairs)
    const steps: [user: string, hours: number][] = [
      ['maff-poc', 24],
      ['maff-deputy', 28],
      ['maff-ciso', 32],
      ['nisc-duty', 34],
    ];
    for (const [k, [user, hours]] of steps.entries()) {
      const offset = String(hours * H + (k + 1) * 10 * 60_000);
      const pair = await Promise.all([
        BotProcess.start({ ...env, BOT_CLOCK_OFFSET_MS: offset }, bots),
        BotProcess.start({ ...env, BOT_CLOCK_OFFSET_MS: offset }, bots),
      ]);
      await until(() => dmLines(bots, user).length > 0, `step ${k + 1} to ${user}`, bots);
      await new Promise((r) => setTimeout(r, 3_000)); // both keep ticking: more passes race for the job
      await Promise.all(pair.map((b) => b.stop()));
      // this step once, the later ones not yet
      for (const [j, [who]] of steps.entries())
        assert.equal(dmLines(bots, who).length, j <= k ? 1 : 0, `after step ${k + 1}: ${who}`);
    }

    const check = await openDatabase(db.url);
    try {
      const jobs = await check.prisma.job.findMany({ where: { kind: 'advisory.escalate' }, orderBy: { id: 'asc' } });
      assert.deepEqual(
        jobs.map((j) => `${j.id}=${j.status}`),
        [0, 1, 2, 3].map((n) => `advisory:${adv}:esc:maff:${n}=done`),
      );
      const rows = await check.prisma.delivery.findMany({ where: { refType: 'advisory-escalation' } });
      assert.deepEqual(rows.map((r) => `${r.target}=${r.status}`).sort(), [
        'maff-ciso=sent',
        'maff-deputy=sent',
        'maff-poc=sent',
        'nisc-duty=sent',
      ]);
      const audit = await check.prisma.auditRecord.findMany({
        where: { action: 'advisory.escalate' },
        orderBy: { seq: 'asc' },
      });
      assert.deepEqual(
        audit.map((r) => (JSON.parse(r.data) as { role: string }).role),
        ['primary', 'deputy', 'ciso', 'duty'],
      );
    } finally {
      await check.close();
    }
    const by = bots.map(
      (b, i) =>
        `${i}:${['maff-poc', 'maff-deputy', 'maff-ciso', 'nisc-duty'].map((u) => dmLines([b], u).length).join('')}`,
    );
    console.log(`# escalation, two processes per step: messages printed per process ${by.join(' ')}`);
  } finally {
    await Promise.all(bots.map((b) => b.kill()));
    await db.drop();
  }
});
