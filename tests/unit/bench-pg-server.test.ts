/**
 * The bench's PostgreSQL is production-like (the lead's decision, session 14): a server of the
 * run's own with fsync and synchronous_commit on, its data on a disk, gone after stop(). The tests'
 * shared server keeps fsync=off; a figure measured on that one is not one we may claim.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterEach, beforeEach, test } from 'vitest';
import { pgServer } from '../bench/databases.ts';

// the tests' runner points TEST_PG_URL at the shared (fsync=off) server; the bench starts its own
let saved: string | undefined;
beforeEach(() => {
  saved = process.env.TEST_PG_URL;
  delete process.env.TEST_PG_URL;
});
afterEach(() => {
  if (saved !== undefined) process.env.TEST_PG_URL = saved;
});

test('the bench starts its own PostgreSQL with fsync and synchronous_commit on, data on disk, deleted at stop', async () => {
  const lines: string[] = [];
  const server = await pgServer((l) => lines.push(l));
  assert.ok(server, lines.join('\n'));
  let dataDir = '';
  try {
    assert.deepEqual(server.durability, { fsync: 'on', synchronousCommit: 'on' });
    const c = new pg.Client({ connectionString: server.url });
    await c.connect();
    try {
      const show = async (n: string) => ((await c.query(`SHOW ${n}`)).rows[0] as Record<string, string>)[n];
      // read from the server itself, not from what pgServer reported
      assert.equal(await show('fsync'), 'on');
      assert.equal(await show('synchronous_commit'), 'on');
      dataDir = (await show('data_directory')) ?? '';
      assert.ok(existsSync(dataDir), dataDir);
      assert.ok(!dataDir.startsWith('/dev/shm'), `the bench's data must be on a disk for fsync to mean it: ${dataDir}`);
    } finally {
      await c.end();
    }
    assert.ok(
      lines.some((l) => l.includes('fsync=on synchronous_commit=on')),
      lines.join('\n'),
    );
  } finally {
    await server.stop();
  }
  assert.equal(existsSync(dataDir), false, `${dataDir} left behind`);
  const after = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2000 });
  await assert.rejects(after.connect());
}, 120_000);
