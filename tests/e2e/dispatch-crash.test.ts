/**
 * SIGKILL in the dispatcher around its two writes (src/outbox/dispatcher.ts): a claim must be
 * committed before its post; a finish may be lost (it is written late, with the next claim on
 * SQLite) and then the row is claimed again once the claim expires, and the search by delivery
 * id finds the post. Real processes (tests/helpers/dispatch-crash-child.ts) on one database, their
 * channel a file they share.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { openDatabase } from '../../src/db/client.ts';
import { enqueue } from '../../src/outbox/outbox.ts';
import { testDb } from '../helpers/app.ts';
import { tsxChild } from '../helpers/tsx-child.ts';

function child(env: Record<string, string>) {
  const p = tsxChild('tests/helpers/dispatch-crash-child.ts', [], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  const limit = setTimeout(() => p.kill('SIGKILL'), 120_000);
  return new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) =>
    p.on('close', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, out });
    }),
  );
}

/** 8 rows, 4 to each of two channels, a definite order; the dead process, then the next one. */
async function crashAndResume(mode: 'die-before-post' | 'die-in-finish') {
  const db = await testDb();
  const shared = await openDatabase(db.url);
  const file = join(tmpdir(), `dispatch-crash-${process.pid}-${mode}-${Date.now()}.jsonl`);
  try {
    const ids: string[] = [];
    const start = Date.now() - 10_000;
    for (let i = 0; i < 8; i++) {
      const at = new Date(start + i);
      ids.push(
        await shared.tx((tx) =>
          enqueue(
            tx,
            {
              platform: 'console',
              kind: 'post',
              target: `ch-${i % 2}`,
              message: { blocks: [{ kind: 'text', text: `m${i}` }] },
              dedupeKey: `crash-${i}`,
              notBefore: at,
            },
            at,
          ),
        ),
      );
    }
    const base = { DATABASE_URL: db.url, CHANNEL_FILE: file };
    const dead = await child({ ...base, MODE: mode });
    assert.equal(dead.signal, 'SIGKILL', dead.out);
    const afterDeath = await shared.prisma.delivery.findMany({ where: { id: { in: ids } } });
    const resumed = await child({ ...base, MODE: 'resume', CLOCK_OFFSET_MS: '40000' });
    assert.equal(resumed.code, 0, resumed.out);
    const log = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { post?: string; search?: string });
    const rows = await shared.prisma.delivery.findMany({ where: { id: { in: ids } } });
    for (const id of ids) {
      assert.equal(log.filter((l) => l.post === id).length, 1, `${id} posted once`);
      const row = rows.find((r) => r.id === id);
      assert.equal(row?.status, 'sent');
      assert.equal(row?.claimedBy, null);
    }
    return { afterDeath, rows, log };
  } finally {
    await shared.close();
    await db.drop();
  }
}

test('SIGKILL after the claim committed, before the post: each claimed row is posted once, after its claim expired, with the search first', async () => {
  const { afterDeath, rows, log } = await crashAndResume('die-before-post');
  const claimed = afterDeath.filter((r) => r.status === 'sending');
  assert.ok(claimed.length >= 1, 'the dead process had committed its claim');
  for (const c of claimed) {
    assert.equal(c.attempts, 1);
    assert.equal(rows.find((r) => r.id === c.id)?.attempts, 2, 'claimed again after the expiry');
    const searched = log.findIndex((l) => l.search === c.id);
    assert.ok(searched >= 0 && searched < log.findIndex((l) => l.post === c.id), 'searched before posting');
  }
}, 240_000);

test('SIGKILL while finishes wait to be written: the rows posted but not recorded are found by the search, not posted again', async () => {
  const { afterDeath, rows, log } = await crashAndResume('die-in-finish');
  const posted = new Set(log.filter((l) => l.post).map((l) => l.post));
  const lost = afterDeath.filter((r) => r.status === 'sending' && posted.has(r.id));
  assert.ok(lost.length >= 1, 'some posts had no finish on disk when the process died');
  for (const r of lost) {
    assert.equal(rows.find((x) => x.id === r.id)?.attempts, 2);
    assert.ok(
      log.some((l) => l.search === r.id),
      'found by the search',
    );
  }
}, 240_000);
