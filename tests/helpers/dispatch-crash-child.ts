/**
 * A process that only runs the dispatcher, for tests/e2e/dispatch-crash.test.ts. Its platform is
 * a file shared with the next process (one JSON line per post, `CHANNEL_FILE`), so that the next
 * process's search by delivery id sees what this one posted. MODE:
 * - `die-before-post`: SIGKILL at the first post, after its claim has committed, before posting;
 * - `die-in-finish`: SIGKILL at the first finish written after 4 posts (the finishes of the last
 *   posts are then not committed: on SQLite they wait for the next claim's transaction);
 * - `resume`: drains and exits. CLOCK_OFFSET_MS moves its clock past the dead one's claims.
 * Every search is logged to the file too (`{ search: id }`).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import pino from 'pino';
import { offsetClock } from '../../src/core/clock.ts';
import type { OutMessage, PlatformSeam } from '../../src/core/platform.ts';
import { openDatabase } from '../../src/db/client.ts';
import { Dispatcher } from '../../src/outbox/dispatcher.ts';

const file = process.env.CHANNEL_FILE as string;
const mode = process.env.MODE as 'die-before-post' | 'die-in-finish' | 'resume';
const lines = () =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { post?: string; channel?: string; search?: string; ref?: string })
    : [];
let posts = 0;
const platform = {
  name: 'console',
  async post(channel: string, _m: OutMessage, deliveryId: string) {
    if (mode === 'die-before-post') process.kill(process.pid, 'SIGKILL');
    const ref = `${process.pid}-${++posts}`;
    appendFileSync(file, `${JSON.stringify({ post: deliveryId, channel, ref })}\n`);
    return { ref };
  },
  async findByDeliveryId(_k: 'post' | 'dm', _target: string, deliveryId: string) {
    appendFileSync(file, `${JSON.stringify({ search: deliveryId })}\n`);
    const p = lines().find((l) => l.post === deliveryId);
    return p ? { ref: p.ref as string, channel: p.channel as string } : null;
  },
} as unknown as PlatformSeam;

const db = await openDatabase(process.env.DATABASE_URL as string);
if (mode === 'die-in-finish') {
  const execute = db.execute.bind(db);
  db.execute = (runner, sql, ...params) => {
    if (/^UPDATE "Delivery" SET status = \?/.test(sql) && posts >= 4) process.kill(process.pid, 'SIGKILL');
    return execute(runner, sql, ...params);
  };
}
const d = new Dispatcher(db, new Map([['console', platform]]), {
  workerId: `child-${process.pid}`,
  clock: offsetClock(Number(process.env.CLOCK_OFFSET_MS ?? 0)),
  log: pino({ level: 'silent' }),
  claimTtlMs: 30_000,
  perChannelIntervalMs: 0,
});
await d.drain();
await db.close();
process.stdout.write(`drained ${posts}\n`);
