/**
 * SIGKILL while the WAL checkpoint thread (src/db/sqlite-checkpoint.ts) is copying: no committed
 * row is lost and the file stays sound. Each round, two writer processes (tests/helpers/
 * sqlite-writer.ts) write into one file with a checkpoint every 50 frames; one is killed the
 * moment it reports a checkpoint under way on its thread, the other goes on and ends normally.
 * Every row either of them reported durable is there, and `integrity_check` says ok.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import Sqlite from 'better-sqlite3';
import { afterAll, test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { sqlitePath } from '../../src/db/provider.ts';
import { sqliteAdapter } from '../../src/db/sqlite-adapter.ts';
import { PROVIDER, testDb } from '../helpers/app.ts';
import { tsxChild } from '../helpers/tsx-child.ts';

const skip = PROVIDER !== 'sqlite'; // SQLite only
const ROUNDS = 6;
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => {});
});

function writer(path: string, who: string, rows: number, killAtCheckpoint = false) {
  const child = tsxChild('tests/helpers/sqlite-writer.ts', [path, who, String(rows), '50', 'close'], { cwd: ROOT });
  child.stderr.pipe(process.stderr); // as the inherited stderr it had
  cleanup.push(async () => child.kill('SIGKILL'));
  const p = {
    child,
    text: '',
    /** the last row reported durable */
    acked: -1,
    /** rows written while a checkpoint ran on the thread */
    during: 0,
    exited: once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal })),
  };
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    p.text += d;
    const lines = (rest + d).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      const ok = /^ok (\d+)$/.exec(line);
      if (ok) p.acked = Number(ok[1]);
      else if (line === 'during' && p.acked >= 100) {
        p.during++;
        // killed the moment its thread is copying (or about to)
        if (killAtCheckpoint && p.during === 1) child.kill('SIGKILL');
      }
    }
  });
  return p;
}

test('SIGKILL while the checkpoint thread copies: every durable row survives, the file is sound (sqlite)', {
  skip,
  timeout: 300_000,
}, async () => {
  const t = await testDb({ empty: true });
  cleanup.push(() => t.drop());
  const path = sqlitePath(t.url);
  const setup = writer(path, 'setup', 1);
  assert.equal((await setup.exited).code, 0);
  const acked = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    const killed = writer(path, `k${round}`, 0, true);
    const survivor = writer(path, `s${round}`, 800);
    const [k, s] = await Promise.all([killed.exited, survivor.exited]);
    assert.equal(k.signal, 'SIGKILL', `round ${round}: killed (${killed.text.slice(-200)})`);
    assert.ok(killed.during >= 1, `round ${round}: killed during a checkpoint`);
    assert.equal(s.code, 0, `round ${round}: the survivor ended normally (${survivor.text.slice(-300)})`);
    assert.doesNotMatch(survivor.text, /^error/m);
    acked.set(`k${round}`, killed.acked);
    acked.set(`s${round}`, survivor.acked);
    const db = new Sqlite(path, { readonly: true });
    try {
      for (const [who, last] of acked) {
        const row = db.prepare('SELECT count(*) AS c FROM w WHERE who = ? AND n <= ?').get(who, last) as { c: number };
        assert.equal(row.c, last + 1, `round ${round}: every durable row of ${who} (0…${last})`);
      }
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  }
  // our driver opens the file again, writes and checkpoints it whole
  const factory = sqliteAdapter(path);
  const adapter = await factory.connect();
  try {
    await adapter.executeRaw({ sql: "INSERT INTO w (who, n) VALUES ('after', 0)", args: [], argTypes: [] });
    const r = await adapter.queryRaw({ sql: 'PRAGMA wal_checkpoint(TRUNCATE)', args: [], argTypes: [] });
    assert.equal(Number(r.rows[0]?.[0]), 0, 'a full checkpoint, not blocked');
  } finally {
    await adapter.dispose();
  }
});
