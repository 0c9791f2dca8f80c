/**
 * A process that writes rows into a SQLite file through our driver (src/db/sqlite-adapter.ts),
 * with its WAL checkpoint thread (src/db/sqlite-checkpoint.ts), for the tests that need
 * several processes on one file or a process killed in the middle:
 *
 *   node --import tsx tests/helpers/sqlite-writer.ts <file> <who> <rows> <pages> <end>
 *
 * It creates table `w (who TEXT, n INTEGER, pad TEXT, PRIMARY KEY (who, n))` if missing, then
 * inserts rows n = 0 … rows-1 one after another (rows 0: until killed), each ~3 KB. On stdout:
 * - `ok <n>` once row n is committed and durable (its promise resolved);
 * - `during` when a row was written while a checkpoint ran on the thread;
 * - `error <message>` if a write failed (then exit code 1);
 * - at the end `stats <json>` (the checkpointer's figures), once a thread it started has answered
 *   its first checkpoint (30 s at most).
 * `<end>`: `close` disposes the adapter, `leave` leaves it open and lets the event loop empty:
 * either way the process must exit by itself.
 */
import { sqliteAdapter } from '../../src/db/sqlite-adapter.ts';

const [path, who, rowsArg, pagesArg, end] = process.argv.slice(2);
if (!path || !who || !rowsArg || !pagesArg || !end)
  throw new Error('usage: sqlite-writer <file> <who> <rows> <pages> <end>');
const rows = Number(rowsArg);
const factory = sqliteAdapter(path, { checkpoint: { pages: Number(pagesArg), idleMs: 60_000 } });
const adapter = await factory.connect();
const q = (sql: string, args: unknown[] = []) => ({ sql, args, argTypes: [] });
const out = (line: string) => process.stdout.write(`${line}\n`);
const pad = 'x'.repeat(3000);
try {
  await adapter.executeScript(
    'CREATE TABLE IF NOT EXISTS w (who TEXT NOT NULL, n INTEGER NOT NULL, pad TEXT, PRIMARY KEY (who, n))',
  );
  for (let n = 0; rows === 0 || n < rows; n++) {
    await adapter.executeRaw(q('INSERT INTO w (who, n, pad) VALUES (?, ?, ?)', [who, n, pad]));
    out(`ok ${n}`);
    if (factory.checkpointer?.checkpointing) out('during');
  }
} catch (e) {
  out(`error ${(e as Error).message}`);
  process.exitCode = 1;
}
// a thread started while the machine is loaded may not have answered its first checkpoint by the
// last row: wait for that answer (30 s at most), so that the process ends with a thread that ran
const ckpt = factory.checkpointer;
const deadline = Date.now() + 30_000;
while (ckpt?.running && ckpt.stats.checkpoints === 0 && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 10));
out(`stats ${JSON.stringify(factory.checkpointer?.stats ?? null)}`);
if (end === 'close') await adapter.dispose();
