// The paced load generator (tests/bench/paced.ts) against local servers of known behaviour: the
// rate it keeps, and latencies measured from the due time (coordinated omission).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { afterEach, test } from 'vitest';
import { paced } from '../bench/paced.ts';

const next = () => ({ body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // the process stalls: nothing else runs, neither the server nor the generator
  }
};

let server: Server | null = null;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(null)));
  server = null;
});

/**
 * Runs `attempt` until its result passes `check`, at most `tries` times; fails with every
 * attempt's failure and how long this process was stalled meanwhile. For the bounds that say
 * "fast" ((a), (d)): they are wall-clock figures on a shared 2-core machine, where the other test
 * files running beside this one can stall this process past them once in a while (CI, 2026-12-04:
 * (a)'s p99 read 108 ms against < 100). A generator that is wrong fails every attempt.
 */
async function passing<T>(tries: number, attempt: () => Promise<T>, check: (r: T) => void): Promise<T> {
  const failures: string[] = [];
  for (let i = 1; i <= tries; i++) {
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    const r = await attempt();
    stalls.disable();
    try {
      check(r);
      return r;
    } catch (e) {
      failures.push(
        `attempt ${i}: ${(e as Error).message} (this process stalled up to ${Math.round(stalls.max / 1e6)} ms)`,
      );
    }
  }
  assert.fail(failures.join('\n'));
}

/** A server in this process answering each request after `handle` (1 ms unless it stalls). */
async function local(handle: (req: number) => void): Promise<number> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      handle(++n);
      setTimeout(() => res.end('ok'), 1);
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

test('(a) a server answering in 1 ms: p99 of a few ms, and the rate asked for', async () => {
  const port = await local(() => {});
  await passing(
    3,
    () => paced({ port, path: '/', rate: 200, seconds: 1, warmupSeconds: 0.5, next }),
    (r) => {
      assert.equal(r.measured.count, 200);
      assert.equal(r.warmup.count, 100);
      assert.equal(r.measured.errors, 0);
      // within a few % of 200/s (the sends follow the clock, not the answers)
      assert.ok(Math.abs(r.achievedRate - 200) / 200 < 0.03, `achieved ${r.achievedRate}/s`);
      // 1 ms of service, a timer's lateness and the loopback; generous for a loaded shared
      // machine, and far below the 250 ms of the stall below
      assert.ok(r.measured.p50 < 20, `p50 ${r.measured.p50}`);
      assert.ok(r.measured.p99 < 100, `p99 ${r.measured.p99}`);
      // answered in 1 ms, the requests do not pile up: far fewer connections than the ~60 a
      // 300 ms stall needs in (c) (21 with three busy loops on two cores, 2026-12-03)
      assert.ok(r.connectionsOpened <= 30, `opened ${r.connectionsOpened}`);
    },
  );
});

test('(b) a process that stalls once for 300 ms: every request due during the stall counts its wait', async () => {
  // The server runs in this process and blocks it for 300 ms at the first request after 0.5 s of
  // the measured part, so the generator cannot send either: the ~60 requests due meanwhile go
  // late, all at once, and are each served in 1 ms. Measured from the send (a closed-loop
  // client's view) they look fast; from their due time, they waited up to 300 ms.
  const warm = 100;
  const port = await local((n) => {
    if (n === warm + 100) busy(300);
  });
  const r = await paced({ port, path: '/', rate: 200, seconds: 1, warmupSeconds: 0.5, next });
  assert.equal(r.measured.errors, 0);
  assert.ok(r.measured.sendLagMax >= 250, `the sends were held: ${r.measured.sendLagMax} ms`);
  // 60 of 200 requests were due during the stall: the p99 (2nd highest) waited ≥ ~250 ms
  assert.ok(r.measured.p99 >= 250, `p99 from the due time ${r.measured.p99}`);
  assert.ok(r.measured.max >= 290, `max ${r.measured.max}`);
  // Not one request but every one due during the stall counts its wait: ~60 of them were held,
  // from 0 to 300 ms, ~150 ms each, ~9 s in all over the 200 measured (a mean send lag of ~45 ms).
  // The due-time figures are the from-send ones plus this lag, request by request; half of it is
  // asked for.
  assert.ok(r.measured.sendLagMean >= 22, `mean send lag ${r.measured.sendLagMean} ms`);
  assert.ok(r.measured.p90 >= 200, `p90 from the due time ${r.measured.p90}`);
  // The from-send percentiles are not compared (they were, at the p99 and then at the p90): the
  // ~60 late requests go out at once and are served one after another by this process, so under
  // load their time from the send grows as long as the stall (beside 4 busy loops, 2026-12-04:
  // p90 from the send 109-345 ms against 257-379 from the due time; CI at 13:13 failed the p90
  // comparison with 161 against 250, CI at 10:04 the p99 one with 305 against 323).
});

/** A server in another thread that blocks its thread for 300 ms at its `stallAt`-th request. */
async function threadServer(stallAt: number): Promise<{ port: number; worker: Worker }> {
  const worker = new Worker(
    `
    const { createServer } = require('node:http');
    const { parentPort, workerData } = require('node:worker_threads');
    let n = 0;
    const s = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (++n === workerData) { const end = performance.now() + 300; while (performance.now() < end) {} }
        setTimeout(() => res.end('ok'), 1);
      });
    });
    s.listen(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
    `,
    { eval: true, workerData: stallAt },
  );
  const port = await new Promise<number>((r) => worker.once('message', r));
  return { port, worker };
}

test('(c) a server in another thread stalls 300 ms: the sends stay on time, the pool grows', async () => {
  // The generator is free while the server is blocked: the requests due during the stall go out
  // on time on new connections (none is free), and wait at the server.
  const { port, worker } = await threadServer(200);
  try {
    const r = await paced({ port, path: '/', rate: 200, seconds: 1, warmupSeconds: 0.5, next });
    assert.equal(r.measured.errors, 0);
    assert.ok(r.measured.sendLagP99 < 50, `send lag p99 ${r.measured.sendLagP99}`);
    assert.ok(r.measured.p99 >= 250, `p99 ${r.measured.p99}`);
    // ~60 requests were in flight at once during the stall, each on its own connection
    assert.ok(r.maxInFlight >= 40, `in flight ${r.maxInFlight}`);
    assert.ok(r.connectionsOpened >= 40, `opened ${r.connectionsOpened}`);
  } finally {
    await worker.terminate();
  }
});

test('(d) a stall at the end of the warm-up belongs to the warm-up: the measured part starts once it is answered', async () => {
  // the 90th of 100 warm-up requests stalls the server until ~750 ms: sent on without a break,
  // the first ~50 measured requests would have waited up to 250 ms
  await passing(
    3,
    async () => {
      const { port, worker } = await threadServer(90);
      try {
        return await paced({ port, path: '/', rate: 200, seconds: 1, warmupSeconds: 0.5, next });
      } finally {
        await worker.terminate();
      }
    },
    (r) => {
      assert.equal(r.measured.errors + r.warmup.errors, 0);
      assert.ok(r.warmup.max >= 250, `warm-up max ${r.warmup.max}`);
      assert.ok(r.measured.p99 < 100, `measured p99 ${r.measured.p99}`);
    },
  );
});

test('(e) afterWarmup runs once the warm-up is answered, and the measured part waits for it', async () => {
  // the bench reads the bot's /metrics there, so that its stall and GC figures leave out the
  // warm-up as the percentiles do (read before the warm-up, they counted its stalls too)
  let received = 0;
  const port = await local((n) => {
    received = n;
  });
  const seen: { atStart: number; atEnd: number }[] = [];
  const r = await paced({
    port,
    path: '/',
    rate: 200,
    seconds: 0.5,
    warmupSeconds: 0.5,
    next,
    afterWarmup: async () => {
      const atStart = received;
      await new Promise((res) => setTimeout(res, 200));
      seen.push({ atStart, atEnd: received });
    },
  });
  // every warm-up request had reached the server (and been answered), no measured one had, nor
  // went out while the hook ran
  assert.deepEqual(seen, [{ atStart: 100, atEnd: 100 }]);
  assert.equal(r.warmup.ok, 100);
  assert.equal(r.measured.ok, 100);
  assert.equal(received, 200);
});
