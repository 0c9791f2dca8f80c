// The benchmark's pure parts: percentiles, the rate-limit floor, the README section (no times asserted).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { rateLimitFloorMs } from '../bench/broadcast.ts';
import { admittedBuckets, bucketQuantileMs, type LoadResult, phaseSplit } from '../bench/commands.ts';
import { stretches } from '../bench/long-tasks.ts';
import { type BenchResult, buildRows, END, renderMarkdown, replaceBetweenMarkers, START } from '../bench/report.ts';
import { percentile } from '../bench/stats.ts';

test('percentile by nearest rank', () => {
  const v = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile(v, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('the rate-limit floor: per channel, then the workspace window', () => {
  const perChannel = { limit: 1, windowMs: 1000 };
  // 5 posts per channel at 1/s: the last at 4 s, however many channels
  assert.equal(rateLimitFloorMs({ channels: 50, rounds: 5, workspacePerMinute: 600 }, { perChannel }), 4000);
  // one post per channel: nothing to wait for
  assert.equal(rateLimitFloorMs({ channels: 50, rounds: 1, workspacePerMinute: 600 }, { perChannel }), 0);
  // 250 posts, 200 a minute: the last 50 wait for the window to slide (a minute after the first)
  const w = rateLimitFloorMs(
    { channels: 50, rounds: 5, workspacePerMinute: 200 },
    { perChannel, workspacePerMinute: 200 },
  );
  assert.ok(w >= 60_000 && w < 61_000, String(w));
});

test('the README has the bench section, and only its inside is replaced', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(readme.includes(START) && readme.indexOf(END) > readme.indexOf(START));
  const out = replaceBetweenMarkers(`a\n${START}\nold\n${END}\nb`, '| t |');
  assert.equal(out, `a\n${START}\n| t |\n${END}\nb`);
  assert.throws(() => replaceBetweenMarkers('no markers', 'x'));
});

test('the @rate/s rows read the paced load; the burst is a row of its own', () => {
  const load = (target: LoadResult['target'], mode: LoadResult['mode'], p50: number, p99: number): LoadResult => ({
    target,
    command: 'report',
    mode,
    rate: mode === 'max' ? null : 200,
    connections: 50,
    seconds: 5,
    sent: 1000,
    ok: 1000,
    errors: 0,
    ackPerSec: 200,
    p50,
    p99,
    max: p99,
    donePerSec: 200,
    missing: 0,
  });
  const rows = buildRows({
    date: '2026-12-03T20:00:00Z',
    quick: true,
    machine: { cores: 2, cpu: 'x', memoryGb: 1, freeGb: 1, node: 'v20', load: [0, 0, 0], loadBefore: [0, 0, 0] },
    seconds: 1,
    commands: {
      loads: [
        load('floor', 'paced', 1, 2),
        load('floor', 'burst', 10, 100),
        load('sqlite', 'paced', 3, 40),
        load('sqlite', 'burst', 30, 400),
      ],
      rss: [],
    },
    broadcast: null,
    scheduler: null,
    ioc: null,
  });
  const row = (what: string) => rows.find((r) => r.what === what);
  assert.deepEqual(
    [row('`report` ack @200/s, SQLite: p99')?.measured, row('`report` ack @200/s, SQLite: p99')?.verdict],
    ['40 ms', 'pass'],
  );
  assert.equal(row('`report` ack @200/s, SQLite: p50 over the floor')?.measured, '3 ms (3×)');
  const burst = row('`report` ack, 200 at once each second (autocannon), SQLite: p50, p99');
  assert.equal(burst?.measured, 'p50 30 ms, p99 400 ms');
  assert.equal(burst?.against, 'floor p50 10 ms, p99 100 ms');
  // the figure before issue 19 was measured with the burst: it stands beside the burst row
  assert.equal(burst?.before, 'p99 2783.38 ms');
  assert.equal(row('bare bolt ack @200/s paced (the floor)')?.measured, 'p50 1 ms, p99 2 ms');
});

test('profile summary: self and inclusive times, summed over several profiles, recursion counted once', async () => {
  const { summarize } = await import('../bench/profile-summary.ts');
  const frame = (functionName: string, url = '/x/app.js') => ({ functionName, url, lineNumber: 0 });
  // root -> a -> b -> a (recursion); samples: a (1 ms), b (2 ms), inner a (4 ms), root (8 ms)
  const p = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2] },
      { id: 2, callFrame: frame('a'), children: [3] },
      { id: 3, callFrame: frame('b'), children: [4] },
      { id: 4, callFrame: frame('a') },
    ],
    samples: [2, 3, 4, 1],
    timeDeltas: [1000, 2000, 4000, 8000],
  };
  const s = summarize([p, p]);
  const get = (rows: [string, number][], k: string) => rows.find(([n]) => n.startsWith(`${k} `))?.[1];
  assert.equal(s.totalMs, 30);
  assert.equal(get(s.byFunction, 'a'), 10, 'self: 1 + 4, twice');
  assert.equal(get(s.byFunction, 'b'), 4);
  assert.equal(get(s.inclusive, 'a'), 14, 'inclusive: 1 + 2 + 4, twice; the recursion not counted again');
  assert.equal(get(s.inclusive, 'b'), 12);
  assert.equal(get(s.inclusive, '(root)'), 30);
});

test('the admission wait quantiles: the bucket holding them, from the counts between two readings', () => {
  const text = (counts: number[]) =>
    ['0.001', '0.01', '0.1', '+Inf']
      .map((le, i) => `csirt_admission_wait_seconds_bucket{outcome="admitted",le="${le}"} ${counts[i]}`)
      .concat('csirt_admission_wait_seconds_bucket{outcome="refused",le="+Inf"} 99')
      .join('\n');
  const before = admittedBuckets(text([5, 5, 5, 5]));
  // 100 more: 60 under 1 ms, 38 more under 10 ms, 1 under 100 ms, 1 over
  const after = admittedBuckets(text([65, 103, 104, 105]));
  assert.equal(bucketQuantileMs(before, after, 0.5), 1);
  assert.equal(bucketQuantileMs(before, after, 0.98), 10);
  assert.equal(bucketQuantileMs(before, after, 0.99), 100);
  assert.equal(bucketQuantileMs(before, after, 1), Number.POSITIVE_INFINITY);
  assert.equal(bucketQuantileMs(after, after, 0.5), undefined, 'no request in between');
});

test("the split of the ack's time: the phases' p99 buckets, stalls over 10 and 50 ms, GC, between two readings", async () => {
  const { createMetrics, processStalls } = await import('../../src/http/metrics.ts');
  const m = createMetrics();
  const read = () => {
    const p = processStalls();
    return m.httpPhase.render() + p.stalls.render() + p.gc.render();
  };
  const route = { route: 'POST /slack/events' };
  m.httpPhase.observe({ ...route, phase: 'to_route' }, 0.3); // before: not counted
  const before = read();
  for (let i = 0; i < 99; i++) m.httpPhase.observe({ ...route, phase: 'to_route' }, 0.0005);
  m.httpPhase.observe({ ...route, phase: 'to_route' }, 0.02);
  for (let i = 0; i < 50; i++) m.httpPhase.observe({ ...route, phase: 'in_route' }, 0.004);
  for (let i = 0; i < 50; i++) m.httpPhase.observe({ ...route, phase: 'in_route' }, 0.2);
  m.httpPhase.observe({ route: 'POST /other', phase: 'in_route' }, 3); // another route: not counted
  const stalls0 = processStalls().stalls;
  stalls0.observe({}, 0.003);
  stalls0.observe({}, 0.02);
  stalls0.observe({}, 0.07);
  const after = read();
  const s = phaseSplit(before, after);
  assert.equal(s.toRouteP99Le, 1);
  assert.equal(s.inRouteP99Le, 250);
  // the real sampler may add stalls of its own in between: at least ours
  assert.ok((s.stallsOver10ms ?? 0) >= 2 && (s.stallsOver50ms ?? 0) >= 1, JSON.stringify(s));
  assert.ok((s.stallMs ?? 0) >= 93, JSON.stringify(s));
  assert.ok((s.gcMs ?? -1) >= 0);
  assert.deepEqual(phaseSplit(after, after), {
    toRouteP99Le: undefined,
    inRouteP99Le: undefined,
    stallsOver10ms: 0,
    stallsOver50ms: 0,
    stallMs: 0,
    gcMs: 0,
  });
});

test('the loads against one target never reuse a response_url (Slack takes 5 uses of one)', async () => {
  const { sender } = await import('../bench/commands.ts');
  const counter = { n: 0 };
  const seen = new Map<string, number>();
  // six loads (report and list, each paced, burst and max), 50 requests each
  for (const command of ['report', 'list', 'report', 'list', 'report', 'list'] as const) {
    const s = sender(command, 'http://127.0.0.1:9', 50, 20_000, counter);
    for (let i = 0; i < 50; i++) {
      const url = new URLSearchParams(s.next().body).get('response_url') ?? '';
      seen.set(url, (seen.get(url) ?? 0) + 1);
    }
  }
  assert.equal(seen.size, 300);
  assert.ok(Math.max(...seen.values()) === 1);
});

test('long tasks: the busy stretches between (idle) samples, their lengths and causes (each counted once per sample)', () => {
  const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0 });
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 6] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('write', 'file:///x/src/db/group-commit.ts'), children: [5] },
    { id: 5, callFrame: frame('run', 'file:///x/node_modules/better-sqlite3/lib/index.js') },
    { id: 4, callFrame: frame('(garbage collector)') },
    { id: 6, callFrame: frame('reply', 'file:///x/src/adapters/slack/respond.ts'), children: [7] },
    { id: 7, callFrame: frame('reply', 'file:///x/src/adapters/slack/respond.ts') },
  ];
  // 1 ms between samples: idle, 3 busy (write, run, gc), idle, 1 busy (reply, recursing), idle
  const samples = [2, 3, 5, 4, 2, 7, 2];
  const s = stretches({ nodes, samples, timeDeltas: samples.map(() => 1000) });
  assert.deepEqual(
    s.map((x) => x.ms),
    [3, 1],
  );
  assert.equal(s[0]?.causes.get('src/db/group-commit.ts write'), 2);
  assert.equal(s[0]?.causes.get('better-sqlite3'), 1);
  assert.equal(s[0]?.causes.get('(garbage collector)'), 1);
  assert.equal(s[1]?.causes.get('src/adapters/slack/respond.ts reply'), 1, 'a recursing function once per sample');
  // a window (ms from the start) keeps the stretches inside it
  assert.deepEqual(
    stretches({ nodes, samples, timeDeltas: samples.map(() => 1000) }, 4.5).map((x) => x.ms),
    [1],
  );
});

test("the README's header names the bench PostgreSQL's fsync and synchronous_commit, as the server said", () => {
  const r: BenchResult = {
    date: '2026-12-04T04:00:00Z',
    quick: false,
    machine: { cores: 2, cpu: 'x', memoryGb: 1, freeGb: 1, node: 'v20', load: [0, 0, 0], loadBefore: [0, 0, 0] },
    seconds: 1,
    commands: null,
    broadcast: null,
    scheduler: null,
    ioc: null,
  };
  assert.doesNotMatch(renderMarkdown(r, []), /fsync/);
  const head = renderMarkdown({ ...r, postgres: { fsync: 'on', synchronousCommit: 'on' } }, []).split('\n')[0];
  assert.match(head ?? '', / · PostgreSQL fsync=on, synchronous_commit=on\.$/);
  const off = renderMarkdown({ ...r, postgres: { fsync: 'off', synchronousCommit: 'on' } }, []).split('\n')[0];
  assert.match(off ?? '', /PostgreSQL fsync=off, synchronous_commit=on\.$/);
});
