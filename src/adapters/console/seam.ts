/** The console's platform seam: channel posts print as `[#channel] …`, direct messages as `[@user] …`. */
import type { OutMessage, PlatformSeam } from '../../core/platform.ts';
import { type Locale, translator } from '../../i18n/index.ts';
import { renderConsole } from './render.ts';

export class ConsoleSeam implements PlatformSeam {
  readonly name = 'console' as const;
  private n = 0;
  private readonly byDelivery = new Map<string, string>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly locale: Locale,
    private readonly outDir: string,
  ) {}

  private print(prefix: string, msg: OutMessage, deliveryId: string): string {
    const text = renderConsole(msg, translator(this.locale), this.outDir);
    this.write(
      text
        .split('\n')
        .map((l, i) => (i === 0 ? `${prefix} ${l}` : `${' '.repeat(prefix.length)} ${l}`))
        .join('\n'),
    );
    const ref = String(++this.n);
    this.byDelivery.set(deliveryId, ref);
    return ref;
  }

  async post(channel: string, msg: OutMessage, deliveryId: string) {
    return { ref: this.print(`[#${channel}]`, msg, deliveryId) };
  }

  async update(channel: string, ref: string, msg: OutMessage, deliveryId: string) {
    this.print(`[#${channel} ✎${ref}]`, msg, deliveryId);
  }

  async followUp(channel: string, ref: string, msg: OutMessage, deliveryId: string) {
    return { ref: this.print(`[#${channel} ↳${ref}]`, msg, deliveryId), channel };
  }

  async dm(user: string, msg: OutMessage, deliveryId: string) {
    return { ref: this.print(`[@${user}]`, msg, deliveryId), channel: `@${user}` };
  }

  /** the console keeps no history: what it printed is gone */
  async botPostsSince(): Promise<null> {
    return null;
  }

  async findByDeliveryId(kind: 'post' | 'dm', target: string, deliveryId: string) {
    const ref = this.byDelivery.get(deliveryId);
    return ref ? { ref, channel: kind === 'dm' ? `@${target}` : target } : null;
  }
}
