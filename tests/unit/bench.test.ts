// The benchmark's pure parts: percentiles, the rate-limit floor, the README section (no times asserted).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { rateLimitFloorMs } from '../bench/broadcast.ts';
import { END, replaceBetweenMarkers, START } from '../bench/report.ts';
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
