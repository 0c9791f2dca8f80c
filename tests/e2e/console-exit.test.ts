/**
 * The console shows what it sent (issue 16, item 5): with input from a pipe, the posts caused by
 * the last lines are printed before the console's run ends — also a post whose first attempt
 * failed and is retried a moment later — instead of when the next process starts. No fixed
 * sleep: the console waits until the outbox has nothing due for it.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import pino from 'pino';
import { test } from 'vitest';
import { runConsole } from '../../src/adapters/console/console.ts';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { PlatformError } from '../../src/core/platform.ts';
import { MemoryPlatform } from '../fakes/memory-platform.ts';
import { testDb } from '../helpers/app.ts';

test('console: a post of the last line whose first attempt fails is retried and printed before the run ends', async () => {
  const db = await testDb();
  const platform = new MemoryPlatform('console');
  const app = await createApp(loadConfig({ DATABASE_URL: db.url, BOT_ADMINS: 'console:admin', LOG_LEVEL: 'silent' }), {
    seams: new Map([['console', platform]]),
    log: pino({ level: 'silent' }),
    workerId: 'test',
  });
  try {
    const out: string[] = [];
    const lines = [
      '/csirt poc add console:admin org=nisc role=coordinator',
      '/csirt report category=malware summary="最後の行の報告" org=maff',
    ];
    // the first post of the report (to NISC's channel) fails once: a network error, retried
    platform.failures = [];
    const post = platform.post.bind(platform);
    let failedOnce = false;
    platform.post = async (channel, msg, id) => {
      if (!failedOnce && /最後の行の報告/.test(JSON.stringify(msg))) {
        failedOnce = true;
        throw new PlatformError('transient', 'connection reset');
      }
      return post(channel, msg, id);
    };
    const started = Date.now();
    const code = await runConsole(app, { input: Readable.from([`${lines.join('\n')}\n`]), write: (t) => out.push(t) });
    assert.equal(code, 0, out.join('\n'));
    assert.ok(failedOnce);
    const sent = platform.posts.filter((p) => /最後の行の報告/.test(p.text)).map((p) => p.channel);
    assert.deepEqual(sent.sort(), ['maff', 'nisc'], `posts when the run ended: ${JSON.stringify(sent)}`);
    assert.equal(await app.db.prisma.delivery.count({ where: { status: 'pending' } }), 0);
    // waited for the retry (about a second), not for a fixed time
    assert.ok(Date.now() - started < 20_000);
  } finally {
    await app.close();
    await db.drop();
  }
});
