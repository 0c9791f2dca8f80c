/**
 * Exactly-once reminders with real bot processes on one database (SQLite file, or a
 * PostgreSQL database when TEST_PROVIDER=postgresql). The processes share a clock shifted by
 * BOT_CLOCK_OFFSET_MS so that a meeting's 1h reminder comes due seconds after scheduling;
 * each test waits for that one real moment (the reminder is not mocked), then counts what
 * reached the channels in the bots' own output.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { formatTokyoInput } from '../../src/domain/tokyo-time.ts';
import { testDb } from '../helpers/app.ts';
import { BotProcess, channelLines } from '../helpers/bot-process.ts';

const MINUTE = 60_000;
const REMINDER = /開催のご案内（開催の1時間前）/;
const INVITATION = /開催通知/;

/** Bots whose clocks read 2027-01-11 23:59:25Z now (35 s before a minute boundary). */
function sharedClock(url: string): Record<string, string> {
  const offset = Date.parse('2027-01-11T23:59:25Z') - Date.now();
  return { DATABASE_URL: url, BOT_CLOCK_OFFSET_MS: String(offset), LOG_LEVEL: 'error' };
}

/** Schedules a meeting whose 1h reminder is due at the first minute boundary ≥ 8 s ahead; returns that time (real clock). */
function scheduleSoon(bot: BotProcess, env: Record<string, string>): number {
  const offset = Number(env.BOT_CLOCK_OFFSET_MS);
  const shifted = Date.now() + offset;
  const due = Math.ceil((shifted + 8_000) / MINUTE) * MINUTE;
  const start = formatTokyoInput(new Date(due + 60 * MINUTE));
  bot.send(`/csirt meeting schedule title=二重起動試験 start="${start}" invite=maff,mof reminders=1h`);
  return due - offset;
}

const waitUntil = (realMs: number) => new Promise((r) => setTimeout(r, Math.max(0, realMs - Date.now())));

async function sentRows(url: string): Promise<{ reminders: number; invitations: number; jobs: string[] }> {
  const db = await openDatabase(url);
  try {
    const rows = await db.prisma.delivery.findMany({ where: { refType: 'meeting', status: 'sent' } });
    const jobs = await db.prisma.job.findMany({ where: { refType: 'meeting' } });
    return {
      reminders: rows.filter((r) => r.dedupeKey.includes(':reminder:')).length,
      invitations: rows.filter((r) => r.dedupeKey.includes(':invitation:')).length,
      jobs: jobs.map((j) => `${j.id}=${j.status}`),
    };
  } finally {
    await db.close();
  }
}

test('two bot processes on one database, reminder due while both run: exactly one reminder per invited channel', {
  timeout: 180_000,
}, async () => {
  const db = await testDb();
  const env = sharedClock(db.url);
  const bots: BotProcess[] = [];
  try {
    const a = await BotProcess.start(env, bots);
    const b = await BotProcess.start(env, bots);
    const due = scheduleSoon(a, env);
    await a.waitFor(/MTG-2026-0001 を登録/);
    await waitUntil(due + 6_000); // both tick every second: several passes race for the job
    await Promise.all([a.stop(), b.stop()]);
    for (const ch of ['maff', 'mof']) {
      assert.equal(channelLines(bots, ch, REMINDER).length, 1, `${ch} reminders\nA:\n${a.stdout}\nB:\n${b.stdout}`);
      assert.equal(channelLines(bots, ch, INVITATION).length, 1, `${ch} invitations`);
    }
    assert.equal(channelLines(bots, 'nisc', REMINDER).length, 0);
    const rows = await sentRows(db.url);
    assert.deepEqual(rows, { reminders: 2, invitations: 2, jobs: ['meeting:MTG-2026-0001:reminder:1h=done'] });
    console.log(
      `# two processes: reminder lines maff=${channelLines(bots, 'maff', REMINDER).length} mof=${channelLines(bots, 'mof', REMINDER).length}; printed by A=${channelLines([a], 'maff', REMINDER).length + channelLines([a], 'mof', REMINDER).length} B=${channelLines([b], 'maff', REMINDER).length + channelLines([b], 'mof', REMINDER).length}`,
    );
  } finally {
    await Promise.all(bots.map((x) => x.kill()));
    await db.drop();
  }
});

test('one process SIGKILLed before the due time and restarted after it, the other running: one reminder per channel; both killed and restarted together: the missed reminder once', {
  timeout: 240_000,
}, async () => {
  const db = await testDb();
  const env = sharedClock(db.url);
  const bots: BotProcess[] = [];
  try {
    const a = await BotProcess.start(env, bots);
    const b = await BotProcess.start(env, bots);
    const due = scheduleSoon(a, env);
    await a.waitFor(/MTG-2026-0001 を登録/);
    await a.kill(); // crash before the reminder is due
    await waitUntil(due + 3_000);
    const a2 = await BotProcess.start(env, bots); // restarted after the due time: its start-up pass finds nothing left
    await new Promise((r) => setTimeout(r, 4_000));
    for (const ch of ['maff', 'mof'])
      assert.equal(channelLines(bots, ch, REMINDER).length, 1, `${ch}\n${bots.map((x) => x.stdout).join('\n---\n')}`);

    // second meeting: both processes crash before its reminder; both come back after it, together
    const due2 = scheduleSoon(a2, env);
    await a2.waitFor(/MTG-2026-0002 を登録/);
    await Promise.all([a2.kill(), b.kill()]);
    await waitUntil(due2 + 2_000);
    const [c, d] = await Promise.all([BotProcess.start(env, bots), BotProcess.start(env, bots)]);
    await new Promise((r) => setTimeout(r, 4_000));
    await Promise.all([c.stop(), d.stop()]);
    const second = (ch: string) => channelLines(bots, ch, REMINDER).filter((l) => l.includes('MTG-2026-0002'));
    for (const ch of ['maff', 'mof'])
      assert.equal(second(ch).length, 1, `${ch}\n${bots.map((x) => x.stdout).join('\n---\n')}`);
    const rows = await sentRows(db.url);
    assert.equal(rows.reminders, 4);
    assert.deepEqual(rows.jobs.sort(), [
      'meeting:MTG-2026-0001:reminder:1h=done',
      'meeting:MTG-2026-0002:reminder:1h=done',
    ]);
    console.log(
      `# kill/restart: MTG-0001 reminder lines maff=1 mof=1; MTG-0002 (catch-up after both crashed) maff=${second('maff').length} mof=${second('mof').length}`,
    );
  } finally {
    await Promise.all(bots.map((x) => x.kill()));
    await db.drop();
  }
});
