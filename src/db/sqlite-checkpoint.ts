/**
 * SQLite's WAL checkpoints on a thread of their own (issue 19, item 7).
 *
 * In WAL mode a commit appends pages to the `-wal` file; a checkpoint copies them into the
 * database file, with an fsync of the WAL before and of the database after. SQLite's automatic
 * checkpoint (every 1000 WAL pages) runs inside the COMMIT that crossed the line, on the
 * connection's thread: ours is the bot's one JavaScript thread, and under the bench's load it
 * held it ~50 times in 15 s for the copy and two fsyncs each (strace: 101 fsyncs on the main
 * thread, p50 1.4 ms, max 5.8 ms).
 *
 * Here the main connection's automatic checkpoint is set to a high mark (`BOUND_FACTOR` × the
 * threshold), and a second connection, in a worker thread, runs `PRAGMA wal_checkpoint(PASSIVE)`
 * whenever the WAL holds `pages` frames not yet copied:
 * - **How the main thread knows, cheaply**: every `LOOK_EVERY` commits it reads the wal-index
 *   header (the first 136 bytes of the `-shm` file, one pread): the last frame in the WAL
 *   (`mxFrame`) and the last one copied (`nBackfill`). Every process on the file reads and
 *   writes this header, whatever its SQLite version, so its layout is fixed
 *   (https://sqlite.org/walformat.html); a header that does not read as one (another version
 *   stamp, two copies that differ mid-update) is skipped. Nothing runs while nothing commits:
 *   no timer, no polling.
 * - **PASSIVE never waits for nor blocks** a reader or a writer, in this process or another
 *   (another process's checkpointer running at the same moment makes it return "busy", which
 *   is not an error). Durability is SQLite's own: with `synchronous = NORMAL` a checkpoint
 *   fsyncs the WAL before it copies and the database before it records what it copied.
 * - **The bound always holds**: if the thread falls behind, dies or cannot start, the main
 *   connection's own automatic checkpoint still runs once the WAL reaches the high mark, as
 *   before (SQLite's code, not ours). While the thread's checkpoint runs, the connection's own
 *   one finds it busy and is skipped, so the WAL may pass the mark by what is written during
 *   that one checkpoint (25–30 frames past a mark of 400 on a loaded test machine). So does the WAL's restart (a writer starts again at the
 *   file's beginning once every frame is copied): under a constant write load the thread rarely
 *   copies the last frame just before a write begins, and the high mark's checkpoint on the main
 *   thread is then what lets the WAL start over (once per `BOUND_FACTOR` × `pages` frames
 *   instead of once per `pages`).
 * - **An idle bot carries no thread** (a worker is a V8 isolate: several MB of RSS): it starts
 *   at the first checkpoint needed, and after `idleMs` without one it runs a TRUNCATE
 *   checkpoint (the `-wal` file shrinks to nothing; the same file, so WalSync's descriptor stays
 *   valid) and ends. A thread that fails is reported (`onError`) and started again at the next
 *   checkpoint needed, not before `retryMs`.
 * - The thread never keeps the process alive (`unref`), and `close()` ends it and waits for it.
 *
 * The thread's code is CommonJS in a string (as http-thread.ts's), so it runs unchanged from the
 * TypeScript sources and from the esbuild bundle; better-sqlite3 is required by its resolved path.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { Worker } from 'node:worker_threads';

/** WAL frames not yet copied that start a checkpoint on the thread (SQLite's own default) */
export const CHECKPOINT_PAGES = 1000;
/** the main connection's own automatic checkpoint, at this many times `pages` */
export const BOUND_FACTOR = 10;
/** commits between two looks at the wal-index header */
const LOOK_EVERY = 8;

export interface CheckpointerOptions {
  /** frames not yet copied that start a checkpoint on the thread (default CHECKPOINT_PAGES) */
  pages?: number;
  /** the thread ends after this long without a checkpoint (default 30 s) */
  idleMs?: number;
  /** after the thread failed, no new one before this (default 1 s) */
  retryMs?: number;
  /** what the thread's failures are told to (default: a process warning) */
  onError?: (e: Error) => void;
}

export interface CheckpointStats {
  /** threads started */
  starts: number;
  /** checkpoints done on the thread (busy ones included) */
  checkpoints: number;
  /** of them, found another checkpointer running ("busy") */
  busy: number;
  /** frames copied into the database by the thread's checkpoints */
  copied: number;
  /** failures: a checkpoint's error, the thread's error or its unexpected end */
  failures: number;
}

/** what the thread answers: the pragma's row, or its error */
type Answer = { busy: number; log: number; checkpointed: number } | { error: string };
type Mode = 'PASSIVE' | 'TRUNCATE';

const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyMs });
// a checkpoint fsyncs the WAL before it copies and the database after (as the main connection's)
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  let answer;
  try {
    const r = m.mode ? db.pragma('wal_checkpoint(' + m.mode + ')')[0] : { busy: 0, log: 0, checkpointed: 0 };
    answer = { busy: r.busy, log: r.log, checkpointed: r.checkpointed };
  } catch (e) {
    answer = { error: String((e && e.message) || e) };
  }
  if (m.close) {
    db.close();
    parentPort.postMessage(answer);
    parentPort.close();
    return;
  }
  parentPort.postMessage(answer);
});
`;

/** the wal-index header's version stamp (every SQLite since 3.7.0) */
const WAL_INDEX_VERSION = 3007000;
const HEADER_BYTES = 136;

/**
 * Frames in the WAL not yet copied into the database, from the wal-index header (the `-shm`
 * file's first 136 bytes: two copies of the 48-byte header, then the checkpoint info), or null
 * when it does not read as one.
 */
export function uncopiedFrames(header: Buffer): number | null {
  if (header.length < HEADER_BYTES) return null;
  const u32 = endianness() === 'LE' ? (o: number) => header.readUInt32LE(o) : (o: number) => header.readUInt32BE(o);
  if (u32(0) !== WAL_INDEX_VERSION || header[12] !== 1) return null;
  // SQLite writes the two copies one after the other: different, it is being written now
  if (!header.subarray(0, 48).equals(header.subarray(48, 96))) return null;
  const mxFrame = u32(16);
  const nBackfill = u32(96);
  return mxFrame >= nBackfill ? mxFrame - nBackfill : null;
}

export class Checkpointer {
  readonly stats: CheckpointStats = { starts: 0, checkpoints: 0, busy: 0, copied: 0, failures: 0 };
  readonly pages: number;
  private readonly idleMs: number;
  private readonly retryMs: number;
  private readonly onError: (e: Error) => void;
  private thread: Worker | null = null;
  /** a message is with the thread, its answer not back yet */
  private asked = false;
  /** the thread was told to end (idle or close) */
  private ending = false;
  private closed = false;
  private commits = 0;
  private shm: number | null = null;
  private readonly header = Buffer.alloc(HEADER_BYTES);
  private idle: NodeJS.Timeout | null = null;
  private notBefore = 0;
  /** resolves when the current thread has exited */
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly dbPath: string,
    o: CheckpointerOptions = {},
  ) {
    this.pages = o.pages ?? CHECKPOINT_PAGES;
    this.idleMs = o.idleMs ?? 30_000;
    this.retryMs = o.retryMs ?? 1_000;
    this.onError =
      o.onError ?? ((e) => process.emitWarning(`SQLite checkpoint thread: ${e.message}`, 'CheckpointWarning'));
  }

  /** the main connection's automatic checkpoint (pages): the bound if the thread falls behind */
  get bound(): number {
    return this.pages * BOUND_FACTOR;
  }

  /** true while a thread runs */
  get running(): boolean {
    return this.thread !== null;
  }

  /** true while the thread has a checkpoint to do (asked, its answer not back yet) */
  get checkpointing(): boolean {
    return this.asked;
  }

  /** A commit was written to the WAL (the commit path: a counter, and now and then one pread). */
  committed(): void {
    if (++this.commits < LOOK_EVERY) return;
    this.commits = 0;
    if (this.asked || this.closed) return;
    const n = this.uncopied();
    if (n !== null && n >= this.pages) this.ask('PASSIVE');
  }

  /** WAL frames not yet copied into the database, as the wal-index header says (null: unknown) */
  uncopied(): number | null {
    try {
      this.shm ??= openSync(`${this.dbPath}-shm`, 'r');
      if (readSync(this.shm, this.header, 0, HEADER_BYTES, 0) < HEADER_BYTES) return null;
    } catch {
      return null;
    }
    return uncopiedFrames(this.header);
  }

  private ask(mode: Mode, close = false): void {
    if (!close && (Date.now() < this.notBefore || this.ending)) return;
    const w = this.thread ?? this.start();
    if (!w) return;
    this.asked = true;
    if (close) this.ending = true;
    w.postMessage({ mode, close });
  }

  private start(): Worker | null {
    let w: Worker;
    try {
      w = new Worker(THREAD_SOURCE, {
        eval: true,
        execArgv: [],
        name: 'sqlite-checkpoint',
        workerData: {
          driver: createRequire(import.meta.url).resolve('better-sqlite3'),
          path: this.dbPath,
          busyMs: 100,
        },
        // a small isolate: it runs one pragma at a time
        resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
      });
    } catch (e) {
      this.failed(e as Error);
      return null;
    }
    this.thread = w;
    this.ending = false;
    this.stats.starts++;
    this.exited = new Promise((resolve) => w.once('exit', () => resolve()));
    w.on('message', (a: Answer) => this.answered(w, a));
    w.on('error', (e) => {
      if (this.thread === w) this.failed(e);
    });
    w.on('exit', (code) => {
      if (this.thread !== w) return;
      const expected = this.ending;
      this.thread = null;
      this.asked = false;
      this.ending = false;
      this.stopIdle();
      if (!expected) this.failed(new Error(`the thread ended (exit code ${code})`));
    });
    // after the listeners: adding one holds the thread's port again
    w.unref();
    return w;
  }

  private answered(w: Worker, a: Answer): void {
    if (this.thread !== w) return;
    this.asked = false;
    if ('error' in a) {
      this.failed(new Error(a.error));
      return;
    }
    this.stats.checkpoints++;
    if (a.busy) this.stats.busy++;
    else this.stats.copied += Math.max(0, a.checkpointed);
    if (!this.ending) this.armIdle();
  }

  private failed(e: Error): void {
    this.stats.failures++;
    this.notBefore = Date.now() + this.retryMs;
    try {
      this.onError(e);
    } catch {}
  }

  /** after idleMs without a checkpoint: the WAL truncated, the thread ended */
  private armIdle(): void {
    if (this.idle) {
      this.idle.refresh();
      return;
    }
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.closed || !this.thread || this.ending) return;
      if (this.asked) this.armIdle();
      else this.ask('TRUNCATE', true);
    }, this.idleMs);
    this.idle.unref();
  }

  private stopIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
  }

  /** Ends the thread (its connection closed first) and waits for it; no checkpoint after this. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopIdle();
    const w = this.thread;
    if (w) {
      if (!this.ending) {
        this.ending = true;
        w.postMessage({ mode: null, close: true });
      }
      const timer = setTimeout(() => void w.terminate(), 5_000);
      await this.exited;
      clearTimeout(timer);
    }
    if (this.shm !== null) {
      try {
        closeSync(this.shm);
      } catch {}
      this.shm = null;
    }
  }

  /** For tests: the running thread (to end it and see the bound hold and a new one start). */
  threadForTests(): Worker | null {
    return this.thread;
  }
}
