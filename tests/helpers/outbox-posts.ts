/** Console posts put in the outbox of a test app, and the dispatchers that send them, for the dispatcher's tests. */
import pino from 'pino';
import type { PlatformSeam } from '../../src/core/platform.ts';
import { Dispatcher, type DispatcherOptions } from '../../src/outbox/dispatcher.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import type { MemoryPlatform } from '../fakes/memory-platform.ts';
import type { TestApp } from './app.ts';

/** A message of one text block. */
export const textMessage = (text: string) => ({ blocks: [{ kind: 'text' as const, text }] });

/** Enqueues a console post to `target` whose text and dedupe key are `key`; returns its delivery id. */
export function putPost(t: TestApp, key: string, target: string) {
  return t.app.db.tx((tx) =>
    enqueue(
      tx,
      { platform: 'console', kind: 'post', target, message: textMessage(key), dedupeKey: key },
      t.clock.now(),
    ),
  );
}

/** A dispatcher of the test app's database sending console rows through `seam`, on the app's clock, logging nothing. */
export function consoleDispatcher(
  t: TestApp,
  seam: PlatformSeam,
  opts: Omit<DispatcherOptions, 'clock' | 'log'>,
): Dispatcher {
  return new Dispatcher(t.app.db, new Map([['console', seam]]), {
    clock: t.clock,
    log: pino({ level: 'silent' }),
    ...opts,
  });
}

/**
 * Replaces `platform.post` by `send` (given the original post), counting the posts in flight per
 * channel; returns a check that names a channel which ever had two in flight at once ('' if none).
 */
export function watchInHand(
  platform: MemoryPlatform,
  send: (
    post: MemoryPlatform['post'],
    ...args: Parameters<MemoryPlatform['post']>
  ) => ReturnType<MemoryPlatform['post']>,
): () => string {
  const post = platform.post.bind(platform);
  const inFlight = new Map<string, number>();
  let overlap = '';
  platform.post = async (channel, m, deliveryId) => {
    const n = (inFlight.get(channel) ?? 0) + 1;
    inFlight.set(channel, n);
    if (n > 1) overlap = channel;
    try {
      return await send(post, channel, m, deliveryId);
    } finally {
      inFlight.set(channel, (inFlight.get(channel) ?? 1) - 1);
    }
  };
  return () => overlap;
}
