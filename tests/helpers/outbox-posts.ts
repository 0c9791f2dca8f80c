/** Console posts put in the outbox of a test app, for the dispatcher's tests. */
import { enqueue } from '../../src/outbox/outbox.ts';
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
