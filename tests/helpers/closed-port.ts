/**
 * A port on 127.0.0.1 that nothing listens on, for "unreachable" cases. Taken below Linux's
 * ephemeral range (32768-60999): a port from listen(0) (freePort) is handed out again by the next
 * listen(0) of any process on the machine — 3,000 calls gave one back twice in a row (session 14)
 * — and so is the source port of an outgoing connection; a port below the range is given only to
 * whoever asks for it by number.
 */
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_767;

export async function closedPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    // free now (we could bind it), and nothing asks for it by number
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
