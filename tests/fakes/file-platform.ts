/**
 * A platform that survives the bot: every post is one JSON line appended (and fsync'd) to a
 * shared file, one request at a time with a delay, like a slow chat server. A restarted bot
 * finds earlier posts by delivery id in the same file, as it would search a channel's history.
 */
import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import type { OutMessage, PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';

export interface FilePost {
  kind: 'post' | 'dm' | 'update';
  channel: string;
  deliveryId: string;
  ref: string;
  text: string;
}

export function readPosts(file: string): FilePost[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as FilePost);
}

export class FilePlatform implements PlatformSeam {
  private queue: Promise<unknown> = Promise.resolve();
  private n = 0;

  constructor(
    readonly name: PlatformName,
    private readonly file: string,
    private readonly opts: { delayMs?: number; afterWrite?: (count: number) => void } = {},
  ) {}

  private write(p: Omit<FilePost, 'ref'>): Promise<string> {
    const run = this.queue.then(async () => {
      await new Promise((r) => setTimeout(r, this.opts.delayMs ?? 0));
      const ref = `${process.pid}.${++this.n}`;
      const fd = openSync(this.file, 'a');
      appendFileSync(fd, `${JSON.stringify({ ...p, ref })}\n`);
      fsyncSync(fd);
      closeSync(fd);
      this.opts.afterWrite?.(this.n);
      return ref;
    });
    this.queue = run.catch(() => {});
    return run;
  }

  async post(channel: string, msg: OutMessage, deliveryId: string) {
    return { ref: await this.write({ kind: 'post', channel, deliveryId, text: replyToText(msg) }) };
  }
  async update(channel: string, _ref: string, msg: OutMessage, deliveryId: string) {
    await this.write({ kind: 'update', channel, deliveryId, text: replyToText(msg) });
  }
  async dm(user: string, msg: OutMessage, deliveryId: string) {
    const ref = await this.write({ kind: 'dm', channel: `@${user}`, deliveryId, text: replyToText(msg) });
    return { ref, channel: `@${user}` };
  }
  async findByDeliveryId(_kind: 'post' | 'dm', _target: string, deliveryId: string) {
    const p = readPosts(this.file).find((x) => x.deliveryId === deliveryId && x.kind !== 'update');
    return p ? { ref: p.ref } : null;
  }
}
