/**
 * GET /metrics in Prometheus's text format (0.0.4), written by src/http/metrics.ts: what a
 * scraper parses — label values escaped, histogram buckets cumulative with +Inf, _sum and
 * _count, one series per label combination whatever the order the labels were given in.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { Counter, createMetrics, Histogram, Registry } from '../../../src/http/metrics.ts';

test('counters: one line per label combination, values escaped, the order of labels does not matter', async () => {
  const r = new Registry();
  const c = new Counter({
    name: 'x_total',
    help: 'What\nit counts \\ here',
    labelNames: ['a', 'b'] as const,
    registers: [r],
  });
  c.inc({ a: 'one', b: 'two' });
  c.inc({ b: 'two', a: 'one' }, 2);
  c.inc({ a: 'q"uo\\te\nnl' });
  const text = await r.metrics();
  assert.equal(
    text,
    '# HELP x_total What\\nit counts \\\\ here\n# TYPE x_total counter\n' +
      'x_total{a="one",b="two"} 3\n' +
      'x_total{a="q\\"uo\\\\te\\nnl"} 1\n',
  );
  assert.deepEqual(c.get().values, [
    { labels: { a: 'one', b: 'two' }, value: 3 },
    { labels: { a: 'q"uo\\te\nnl' }, value: 1 },
  ]);
  assert.throws(() => c.inc({ c: 'x' } as never), /unknown label c/);
  assert.throws(() => c.inc({ a: 'one' }, -1), /only goes up/);
});

test('histograms: cumulative buckets, +Inf, _sum and _count per series', async () => {
  const r = new Registry();
  const h = new Histogram({
    name: 'd_seconds',
    help: 'h',
    labelNames: ['cmd'] as const,
    buckets: [0.1, 0.01, 1],
    registers: [r],
  });
  for (const v of [0.005, 0.01, 0.5, 3]) h.observe({ cmd: 'report' }, v);
  assert.equal(
    await r.metrics(),
    '# HELP d_seconds h\n# TYPE d_seconds histogram\n' +
      'd_seconds_bucket{cmd="report",le="0.01"} 2\n' +
      'd_seconds_bucket{cmd="report",le="0.1"} 2\n' +
      'd_seconds_bucket{cmd="report",le="1"} 3\n' +
      'd_seconds_bucket{cmd="report",le="+Inf"} 4\n' +
      'd_seconds_sum{cmd="report"} 3.515\n' +
      'd_seconds_count{cmd="report"} 4\n',
  );
});

test("the app's registry: the bot's metrics and the process's own", async () => {
  const m = createMetrics();
  m.commands.inc({ command: 'help', outcome: 'ok', platform: 'any' });
  m.latency.observe({ command: 'help' }, 0.02);
  const text = await m.registry.metrics();
  assert.match(m.registry.contentType, /^text\/plain; version=0\.0\.4/);
  for (const name of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'process_start_time_seconds',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_p99_seconds',
  ]) {
    assert.match(text, new RegExp(`^${name} \\d+(\\.\\d+)?(e-?\\d+)?$`, 'm'), name);
  }
  assert.match(text, /^csirt_commands_total\{command="help",outcome="ok",platform="any"\} 1$/m);
  assert.match(text, /^csirt_command_duration_seconds_bucket\{command="help",le="0\.025"\} 1$/m);
  // every line a comment or `name{labels} value`
  for (const line of text.split('\n').filter(Boolean)) {
    assert.match(line, /^(# (HELP|TYPE) \w+ .*|[a-z_][a-z0-9_]*(\{[^}]*\})? [-+\d.eInfa]+)$/, line);
  }
});
