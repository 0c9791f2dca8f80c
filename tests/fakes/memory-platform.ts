/** An in-memory platform seam for tests: records every post, update and direct message. */
import { type OutMessage, PlatformError, type PlatformName, type PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';

export interface RecordedPost {
  kind: 'post' | 'dm' | 'update' | 'followup';
  /** for a follow-up: the post it follows */
  parent?: string;
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
  /** refs of posts the platform no longer lets the bot edit (update throws not_editable) */
  readonly frozen = new Set<string>();

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
    if (this.frozen.has(ref)) throw new PlatformError('not_editable', 'edit window closed');
    this.record('update', channel, msg, deliveryId, ref);
  }
  async followUp(channel: string, ref: string, msg: OutMessage, deliveryId: string) {
    const r = this.record('followup', channel, msg, deliveryId);
    (this.posts.at(-1) as RecordedPost).parent = ref;
    return { ref: r, channel };
  }
  async dm(user: string, msg: OutMessage, deliveryId: string) {
    return { ref: this.record('dm', `@${user}`, msg, deliveryId), channel: `@${user}` };
  }
  async findByDeliveryId(_kind: 'post' | 'dm', _target: string, deliveryId: string) {
    const p = this.posts.find((x) => x.deliveryId === deliveryId && x.kind !== 'update');
    return p ? { ref: p.ref, channel: p.channel } : null;
  }

  async botPostsSince(channel: string) {
    // no times are kept: every post to the channel (a superset of those since any moment)
    return this.posts
      .filter((p) => p.channel === channel && p.kind !== 'update')
      .map((p) => ({ deliveryId: p.deliveryId, text: p.text }));
  }

  /** texts posted to a channel (or `@user` for direct messages), follow-ups included */
  in(channel: string): string[] {
    return this.posts.filter((p) => p.channel === channel && p.kind !== 'update').map((p) => p.text);
  }
}
