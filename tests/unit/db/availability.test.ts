/**
 * src/db/availability.ts with the errors PostgreSQL's driver gives (as seen from a server
 * stopped with `pg_ctl stop -m fast`): while the database is away, work waits for it and is
 * sent again only when that is safe; /healthz's check says no at once.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Availability, DatabaseUnavailable, unavailable } from '../../../src/db/availability.ts';

// what the driver adapter throws: server unreachable (nothing sent), connection cut (in flight)
const refused = Object.assign(new Error('DatabaseNotReachable'), { cause: { kind: 'DatabaseNotReachable' } });
const terminated = Object.assign(new Error('terminating connection due to administrator command'), {
  cause: { kind: 'postgres', code: '57P01', originalCode: '57P01' },
});
const cutMidway = new Error('Connection terminated unexpectedly');

test('errors are told apart: not sent, broken, or not about reaching the database', () => {
  assert.equal(unavailable(refused), 'not-sent');
  assert.equal(unavailable(terminated), 'broken');
  assert.equal(unavailable(cutMidway), 'broken');
  assert.equal(unavailable(new Error('Unique constraint failed')), null);
  assert.equal(unavailable(new DatabaseUnavailable()), 'not-sent');
});

function server() {
  let up = false;
  const a = new Availability({ probeMs: 10, waitMs: 2000 });
  a.probe = async () => {
    if (!up) throw refused;
  };
  return {
    a,
    bringUp: () => {
      up = true;
    },
  };
}

test('a statement that never reached the server waits for it and is sent again', async () => {
  const { a, bringUp } = server();
  let calls = 0;
  const p = a.run(async () => {
    calls++;
    if (calls === 1) throw refused;
    return 'ok';
  }, false);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.available, false);
  assert.equal(await a.check(), false, '/healthz says 503 while the database is away');
  assert.equal(calls, 1, 'not sent again before the database answers');
  bringUp();
  assert.equal(await p, 'ok');
  assert.equal(calls, 2);
  assert.equal(a.available, true);
});

test('a write whose connection broke while it ran is not sent again; a read is', async () => {
  const { a, bringUp } = server();
  await assert.rejects(
    a.run(async () => {
      throw terminated;
    }, false),
    /terminating connection/,
  );
  assert.equal(a.available, false);
  let reads = 0;
  const read = a.run(async () => {
    reads++;
    if (reads === 1) throw cutMidway;
    return 1;
  }, true);
  setTimeout(bringUp, 30);
  assert.equal(await read, 1);
});

test('work gives up after waiting its time; other errors are not retried', async () => {
  const a = new Availability({ probeMs: 10, waitMs: 100 });
  a.probe = async () => {
    throw refused;
  };
  const started = Date.now();
  await assert.rejects(
    a.run(async () => {
      throw refused;
    }, true),
    (e: unknown) => e instanceof DatabaseUnavailable || e === refused,
  );
  assert.ok(Date.now() - started < 1500);
  let n = 0;
  await assert.rejects(
    new Availability().run(async () => {
      n++;
      throw new Error('Unique constraint failed');
    }, true),
    /Unique/,
  );
  assert.equal(n, 1);
});

test('a transaction start its caller has given up on is abandoned, not sent when the database comes back', async () => {
  const { a, bringUp } = server();
  let calls = 0;
  const start = () =>
    a.run(
      async () => {
        calls++;
        if (calls === 1) throw refused;
        return 'started';
      },
      true,
      Date.now() + 100, // Prisma's maxWait: the caller has been answered by then
    );
  const began = Date.now();
  await assert.rejects(start(), DatabaseUnavailable);
  assert.ok(Date.now() - began < 1000, `gave up at the caller's deadline (${Date.now() - began} ms), not after waitMs`);
  bringUp();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(calls, 1, 'the abandoned start took no connection when the database came back');
});
