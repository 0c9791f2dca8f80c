/**
 * Rule 1 of the reminder policy in the scheduler (docs/reminders.md): of the steps of one
 * subject overdue together, only the latest runs its handler; the others are `skipped`, in a
 * batch and when a job is fired alone (after a failed batch); other kinds are never coalesced.
 */
import assert from 'node:assert/strict';
import pino from 'pino';
import { afterAll, beforeAll, test } from 'vitest';
import { type JobHandler, Scheduler, scheduleJob } from '../../../src/scheduler/scheduler.ts';
import { type TestApp, testApp } from '../../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

const log = pino({ level: 'silent' });
const H = 3_600_000;

async function step(id: string, kind: string, ref: string | null, dueInMs: number): Promise<void> {
  await t.app.db.tx((tx) =>
    scheduleJob(t.app.db, tx, {
      id,
      kind,
      dueAt: new Date(t.clock.now().getTime() + dueInMs),
      data: {},
      refType: ref ? 'subject' : undefined,
      refId: ref ?? undefined,
    }),
  );
}

const status = async (id: string) => (await t.app.db.prisma.job.findUniqueOrThrow({ where: { id } })).status;

test('overdue steps of one subject: only the latest runs; later steps, other subjects and other kinds are untouched', async () => {
  const s = new Scheduler(t.app.db, t.clock, log, { batch: 50, batchMs: 600_000 });
  const ran: string[] = [];
  const handler: JobHandler = async (_tx, job) => {
    ran.push(job.id);
    return 'done';
  };
  // campaign.reminder is a reminder kind of the policy; t.other is not
  s.register('campaign.reminder', handler);
  s.register('t.other', handler);
  await step('a:7d', 'campaign.reminder', 'A', -72 * H);
  await step('a:1d', 'campaign.reminder', 'A', -2 * H);
  await step('a:later', 'campaign.reminder', 'A', 5 * H);
  await step('b:7d', 'campaign.reminder', 'B', -10 * H);
  await step('x:1', 't.other', 'A', -3 * H);
  await step('x:2', 't.other', 'A', -1 * H);
  await step('n:1', 'campaign.reminder', null, -3 * H);
  await step('n:2', 'campaign.reminder', null, -1 * H);
  assert.equal(await s.runDue(), 7);
  assert.deepEqual(ran.sort(), ['a:1d', 'b:7d', 'n:1', 'n:2', 'x:1', 'x:2']);
  assert.equal(await status('a:7d'), 'skipped');
  assert.equal(await status('a:later'), 'pending');
});

test('a step fired alone (after its batch failed) is superseded the same way', async () => {
  const s = new Scheduler(t.app.db, t.clock, log, { batch: 50, batchMs: 600_000 });
  const ran: string[] = [];
  let boom = true;
  s.register('meeting.reminder', async (_tx, job) => {
    ran.push(job.id);
    if (job.id === 'm:boom' && boom) {
      boom = false;
      throw new Error('boom');
    }
    return 'done';
  });
  await step('m:boom', 'meeting.reminder', 'M2', -5 * H);
  await step('m:7d', 'meeting.reminder', 'M', -4 * H);
  await step('m:1d', 'meeting.reminder', 'M', -3 * H);
  await s.runDue();
  // the batch failed at m:boom and rolled back; alone, m:7d is superseded and never runs
  assert.ok(!ran.includes('m:7d'), ran.join(', '));
  assert.equal(await status('m:7d'), 'skipped');
  assert.equal(await status('m:1d'), 'done');
});
