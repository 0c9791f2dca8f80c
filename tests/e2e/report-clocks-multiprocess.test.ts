/**
 * Deadline clocks with the clock moved, on real bot processes sharing one database (SQLite file,
 * or a PostgreSQL database when TEST_PROVIDER=postgresql), issue 17: a ministry reports (速報)
 * and sends nothing more. Two processes whose clocks read 4 hours before the first 続報 is due
 * give one reminder to the ministry's channel; two processes whose clocks read an hour after it
 * give one escalation to the ministry's CISO and one to the coordinating office, and no stale
 * reminder; a third pair later gives nothing again. What reached the channels is read from the
 * bots' own output, and the deliveries from the database.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { deadlineAt } from '../../src/domain/report-clocks.ts';
import { loadReportPolicy } from '../../src/services/report-policy.ts';
import { testDb } from '../helpers/app.ts';
import { BotProcess } from '../helpers/bot-process.ts';
import { runBot } from '../helpers/console.ts';

const HOUR = 3_600_000;
const REMIND = /【報告期限のお知らせ】/;
const ESCALATE = /【報告期限超過】/;

/** Lines the bots printed to a channel (`#maff`) or a person (`@mori`) matching `re`. */
function lines(bots: readonly BotProcess[], to: string, re: RegExp): string[] {
  return bots.flatMap((b) => b.stdout.split('\n')).filter((l) => l.startsWith(`[${to}] `) && re.test(l));
}

/** Two bots on `url` whose clocks read `at` now; they run until each has had a few passes. */
async function pair(url: string, at: Date, all: BotProcess[]): Promise<BotProcess[]> {
  const env = { DATABASE_URL: url, BOT_CLOCK_OFFSET_MS: String(at.getTime() - Date.now()), LOG_LEVEL: 'error' };
  const bots = await Promise.all([BotProcess.start(env, all), BotProcess.start(env, all)]);
  await new Promise((r) => setTimeout(r, 5_000)); // both tick every second: several passes race for each job
  await Promise.all(bots.map((b) => b.stop()));
  return bots;
}

test('clock moved past a deadline: one reminder before, one escalation to the CISO and the office after, nothing twice with two processes', {
  timeout: 420_000,
}, async () => {
  const db = await testDb();
  const all: BotProcess[] = [];
  try {
    const setup = await runBot(
      [
        '/csirt poc add console:sato org=maff role=poc primary=yes',
        '/csirt poc add console:mori org=maff role=ciso',
        '/csirt poc add console:kato org=nisc role=coordinator',
        '',
      ].join('\n'),
      { DATABASE_URL: db.url },
    );
    assert.equal(setup.code, 0, setup.stdout + setup.stderr);
    const report = await runBot('/csirt report category=malware summary="不審な通信を検知"\n', {
      DATABASE_URL: db.url,
      CONSOLE_USER: 'sato',
    });
    assert.equal(report.code, 0, report.stdout + report.stderr);
    const id = /INC-\d{4}-\d{4}/.exec(report.stdout)?.[0] as string;

    const conn = await openDatabase(db.url);
    const inc = await conn.prisma.incident.findUniqueOrThrow({ where: { id } });
    await conn.close();
    const rule = loadReportPolicy(undefined).deadlines.find((d) => d.stage === 'update');
    assert.ok(rule && rule.remind.length === 1, 'the shipped table reminds once before the first 続報');
    const due = deadlineAt(inc.awareAt ?? inc.detectedAt, rule.due);

    // before the deadline, after its reminder time: one reminder, to the ministry only
    const before = await pair(db.url, new Date(due.getTime() - 4 * HOUR), all);
    const out = () => before.map((b) => b.stdout).join('\n---\n');
    assert.equal(lines(before, '#maff', REMIND).length, 1, out());
    assert.match(lines(before, '#maff', REMIND)[0] ?? '', new RegExp(`${id} の最初の続報の期限は`));
    assert.equal(lines(before, '#nisc', /./).length, 0, out());
    assert.equal(lines(before, '@mori', /./).length, 0, out());
    assert.equal(lines(before, '#maff', ESCALATE).length, 0, out());

    // after the deadline: one escalation to the CISO and one to the office; no stale reminder
    const after = await pair(db.url, new Date(due.getTime() + HOUR), all);
    const out2 = () => after.map((b) => b.stdout).join('\n---\n');
    assert.equal(lines(after, '@mori', ESCALATE).length, 1, out2());
    assert.equal(lines(after, '#nisc', ESCALATE).length, 1, out2());
    assert.match(
      lines(after, '#nisc', ESCALATE)[0] ?? '',
      new RegExp(`${id}（農林水産省 \\(maff\\)）の最初の続報が期限`),
    );
    assert.equal(lines(after, '#maff', /./).length, 0, out2());
    assert.doesNotMatch(out2(), REMIND);

    // later again: nothing more
    const later = await pair(db.url, new Date(due.getTime() + 3 * HOUR), all);
    for (const to of ['#maff', '#nisc', '@mori'])
      assert.equal(lines(later, to, /./).length, 0, later.map((b) => b.stdout).join('\n---\n'));

    const check = await openDatabase(db.url);
    try {
      const sent = await check.prisma.delivery.findMany({ where: { refType: 'incident', refId: id } });
      const clock = sent.filter((d) => d.dedupeKey.includes(':clock:'));
      assert.deepEqual(clock.map((d) => `${d.kind}:${d.target}:${d.status}`).sort(), [
        'dm:mori:sent',
        'post:maff:sent',
        'post:nisc:sent',
      ]);
      const events = await check.prisma.incidentEvent.findMany({ where: { incidentId: id, kind: 'clock' } });
      assert.equal(events.length, 2, JSON.stringify(events));
      const audits = await check.prisma.auditRecord.count({
        where: { action: { in: ['incident.reminder', 'incident.escalation'] } },
      });
      assert.equal(audits, 2);
    } finally {
      await check.close();
    }
  } finally {
    await Promise.all(all.map((b) => b.kill()));
    await db.drop();
  }
});
