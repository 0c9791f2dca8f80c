/** An in-memory platform seam for tests: records every post, update and direct message. */
import type { OutMessage, PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';

export interface RecordedPost {
  kind: 'post' | 'dm' | 'update';
  channel: string;
  ref: string;
  deliveryId: string;
  message: OutMessage;
  text: string;
}

export class MemoryPlatform implements PlatformSeam {
  readonly posts: RecordedPost[] = [];
  private n = 0;
  /** make the next calls fail with this error (one per call) */
  failures: Error[] = [];

  constructor(readonly name: PlatformName = 'console') {}

  private record(
    kind: RecordedPost['kind'],
    channel: string,
    message: OutMessage,
    deliveryId: string,
    ref?: string,
  ): string {
    const f = this.failures.shift();
    if (f) throw f;
    const r = ref ?? String(++this.n);
    this.posts.push({ kind, channel, ref: r, deliveryId, message, text: replyToText(message) });
    return r;
  }

  async post(channel: string, msg: OutMessage, deliveryId: string) {
    return { ref: this.record('post', channel, msg, deliveryId) };
  }
  async update(channel: string, ref: string, msg: OutMessage, deliveryId: string) {
    this.record('update', channel, msg, deliveryId, ref);
  }
  async dm(user: string, msg: OutMessage, deliveryId: string) {
    return { ref: this.record('dm', `@${user}`, msg, deliveryId), channel: `@${user}` };
  }
  async findByDeliveryId(_kind: 'post' | 'dm', _target: string, deliveryId: string) {
    const p = this.posts.find((x) => x.deliveryId === deliveryId && x.kind !== 'update');
    return p ? { ref: p.ref, channel: p.channel } : null;
  }

  /** texts posted to a channel (or `@user` for direct messages) */
  in(channel: string): string[] {
    return this.posts.filter((p) => p.channel === channel && p.kind !== 'update').map((p) => p.text);
  }
}
