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
 * - **What an operator sees** (GET /metrics, `registerCheckpointMetrics` in src/http/metrics.ts,
 *   read at each scrape from `stats`, `wal` and `running`): the WAL's frames as last read (the
 *   header read above, and each checkpoint's answer: no read of its own), the checkpoints by
 *   outcome and their durations (timed in the thread, around the pragma alone), the idle
 *   TRUNCATEs, and whether a thread runs.
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

/** how a checkpoint asked of the thread ended: copied what it could, found another checkpointer running, or failed */
export type CheckpointOutcome = 'done' | 'busy' | 'failed';
const outcomes = (): Record<CheckpointOutcome, number> => ({ done: 0, busy: 0, failed: 0 });

/** Bounds (seconds) of the checkpoints' durations: ~1,000 pages copied and two fsyncs each. */
const CHECKPOINT_SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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
  /**
   * The checkpoints asked of the thread, by outcome: `passive` when the WAL filled, `truncate`
   * at idle. `failed`: the pragma's error, or the thread failed, ended or could not start before
   * it answered.
   */
  outcomes: { passive: Record<CheckpointOutcome, number>; truncate: Record<CheckpointOutcome, number> };
  /**
   * How long the PASSIVE checkpoints that answered (done or busy) took, timed in the thread
   * around the pragma: how many took at most each of `buckets` (seconds; cumulative, as a
   * Prometheus histogram counts), their sum (seconds) and their number.
   */
  seconds: { buckets: readonly number[]; counts: number[]; sum: number; count: number };
}

/** The WAL as last seen: frames in it (its written length) and, of them, those not yet copied. */
export interface WalFigures {
  frames: number;
  uncopied: number;
}

/** what the thread answers: the pragma's row, or its error; and how long the pragma took (ms) */
type Answer = ({ busy: number; log: number; checkpointed: number } | { error: string }) & { ms: number };
type Mode = 'PASSIVE' | 'TRUNCATE';

const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyMs });
// a checkpoint fsyncs the WAL before it copies and the database after (as the main connection's)
db.pragma('synchronous = NORMAL');
parentPort.on('message', (m) => {
  let answer;
  const t0 = performance.now();
  try {
    const r = m.mode ? db.pragma('wal_checkpoint(' + m.mode + ')')[0] : { busy: 0, log: 0, checkpointed: 0 };
    answer = { busy: r.busy, log: r.log, checkpointed: r.checkpointed, ms: performance.now() - t0 };
  } catch (e) {
    answer = { error: String((e && e.message) || e), ms: performance.now() - t0 };
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
  return walFigures(header)?.uncopied ?? null;
}

/** The WAL's frames (`mxFrame`) and those not yet copied, from the wal-index header (null: unknown). */
function walFigures(header: Buffer): WalFigures | null {
  if (header.length < HEADER_BYTES) return null;
  const u32 = endianness() === 'LE' ? (o: number) => header.readUInt32LE(o) : (o: number) => header.readUInt32BE(o);
  if (u32(0) !== WAL_INDEX_VERSION || header[12] !== 1) return null;
  // SQLite writes the two copies one after the other: different, it is being written now
  if (!header.subarray(0, 48).equals(header.subarray(48, 96))) return null;
  const mxFrame = u32(16);
  const nBackfill = u32(96);
  return mxFrame >= nBackfill ? { frames: mxFrame, uncopied: mxFrame - nBackfill } : null;
}

export class Checkpointer {
  readonly stats: CheckpointStats = {
    starts: 0,
    checkpoints: 0,
    busy: 0,
    copied: 0,
    failures: 0,
    outcomes: { passive: outcomes(), truncate: outcomes() },
    seconds: { buckets: CHECKPOINT_SECONDS_BUCKETS, counts: CHECKPOINT_SECONDS_BUCKETS.map(() => 0), sum: 0, count: 0 },
  };
  private lastWal: WalFigures | null = null;
  readonly pages: number;
  private readonly idleMs: number;
  private readonly retryMs: number;
  private readonly onError: (e: Error) => void;
  private thread: Worker | null = null;
  /** a checkpoint is with the thread, its answer not back yet */
  private asked = false;
  /** the messages with the thread, oldest first: a checkpoint's mode, null for close()'s */
  private readonly sent: (Mode | null)[] = [];
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

  /**
   * The WAL as this process last saw it (null: not yet): from the wal-index header, read every
   * `LOOK_EVERY` commits while no checkpoint runs, and from each checkpoint's answer (a TRUNCATE
   * that was done: empty). Another process's writes show at the next look.
   */
  get wal(): WalFigures | null {
    return this.lastWal;
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
    const wal = walFigures(this.header);
    if (wal) this.lastWal = wal;
    return wal?.uncopied ?? null;
  }

  private ask(mode: Mode, close = false): void {
    if (!close && (Date.now() < this.notBefore || this.ending)) return;
    const w = this.thread ?? this.start();
    if (!w) {
      this.counted(mode, 'failed');
      return;
    }
    this.asked = true;
    if (close) this.ending = true;
    this.sent.push(mode);
    w.postMessage({ mode, close });
  }

  private counted(mode: Mode, outcome: CheckpointOutcome): void {
    this.stats.outcomes[mode === 'PASSIVE' ? 'passive' : 'truncate'][outcome]++;
  }

  /** the thread failed or ended: what it was asked and did not answer failed */
  private unanswered(): void {
    for (const mode of this.sent.splice(0)) if (mode) this.counted(mode, 'failed');
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
      if (this.thread !== w) return;
      this.unanswered();
      this.failed(e);
    });
    w.on('exit', (code) => {
      if (this.thread !== w) return;
      const expected = this.ending;
      this.unanswered();
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
    const mode = this.sent.shift() ?? null;
    if ('error' in a) {
      if (mode) this.counted(mode, 'failed');
      this.failed(new Error(a.error));
      return;
    }
    // close()'s message runs no checkpoint: its answer only says the connection is closed
    if (!mode) return;
    this.stats.checkpoints++;
    this.counted(mode, a.busy ? 'busy' : 'done');
    if (a.busy) this.stats.busy++;
    else this.stats.copied += Math.max(0, a.checkpointed);
    // the pragma's row: the WAL's frames and, of them, those copied (a TRUNCATE done: 0 and 0;
    // -1 when it could not tell)
    if (a.log >= 0 && a.checkpointed >= 0 && a.log >= a.checkpointed)
      this.lastWal = { frames: a.log, uncopied: a.log - a.checkpointed };
    if (mode === 'PASSIVE') {
      const s = this.stats.seconds;
      const seconds = a.ms / 1000;
      s.buckets.forEach((b, i) => {
        if (seconds <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
      });
      s.sum += seconds;
      s.count++;
    }
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
        this.sent.push(null);
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
