/**
 * The shared preamble of the escalation scenarios (tests/e2e/advisory-escalation*.test.ts,
 * report-chase.test.ts, escalation-email.test.ts): the advisory people, maff's deputy contact,
 * the approver on duty every day; a command that must succeed; the clock moved with the due jobs
 * run and their messages delivered.
 */
import assert from 'node:assert/strict';
import { P, registerAdvisoryPeople } from './advisory-fixtures.ts';
import { type TestApp, testApp } from './app.ts';

export const DEPUTY = 'console:maff-deputy';

/** Runs `cmd` as `who`, asserts it succeeded; returns the reply's blocks as JSON. */
export async function okIn(t: TestApp, who: string, cmd: string): Promise<string> {
  const o = await t.run(who, cmd);
  const text = JSON.stringify(o.reply.blocks);
  assert.equal(o.status, 'ok', `${cmd}: ${text}`);
  return text;
}

/** A test app at `now` with `env`, the advisory people, maff's deputy and the approver on duty. */
export async function escalationApp(now: string, env: Record<string, string>): Promise<TestApp> {
  const t = await testApp({ now, env });
  await registerAdvisoryPeople(t);
  await okIn(t, P.admin, `poc add ${DEPUTY} org=maff role=poc deputy=yes`);
  // the approver (not the drafter) is on duty every day
  for (const d of ['日', '月', '火', '水', '木', '金', '土'])
    await okIn(t, P.coordinator, `duty set ${d} ${P.approver}`);
  return t;
}

/** Moves the clock to `ms`, runs the due jobs and delivers what they wrote. */
export async function runAt(t: TestApp, ms: number): Promise<void> {
  t.clock.set(new Date(ms).toISOString());
  await t.app.scheduler.runDue();
  await t.app.dispatcher.drain();
}
