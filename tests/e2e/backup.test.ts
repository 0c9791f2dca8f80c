/**
 * `npm run backup -- <file>` (issue 22 item 2, the backup half): a consistent online copy while
 * the bot runs — the newest commit included, which may still be in the WAL — with the audit
 * head recorded beside it; `audit:verify --expect` on the copy passes with that head. On
 * PostgreSQL the head is recorded and the pg_dump command printed (no password in it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { type OperatorScript, scriptArgv } from '../helpers/scripts.ts';

const exec = promisify(execFile);
let t: TestApp;
let dir: string;
beforeAll(async () => {
  t = await testApp();
  dir = mkdtempSync(join(tmpdir(), 'backup-'));
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function script(name: OperatorScript, args: string[], url = t.url) {
  return exec(process.execPath, await scriptArgv(name, args), {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

test.skipIf(PROVIDER !== 'sqlite')(
  'SQLite: the backup taken while the bot runs holds the newest commit and the head recorded beside it',
  async () => {
    for (let i = 0; i < 5; i++) await t.run('console:admin', `org add bk${i} ja=控え確認${i}庁 en="Backup ${i}"`);
    const live = await t.app.db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });
    const file = join(dir, 'bot.db');
    const r = await script('backup', [file]);
    assert.equal(r.code, 0, r.err);
    const copy = new Database(file, { readonly: true });
    const orgs = copy.prepare(`SELECT code FROM "Organization" WHERE code LIKE 'bk%' ORDER BY code`).all();
    const head = copy.prepare('SELECT seq, hash FROM "AuditHead" WHERE id = 1').get() as { seq: number; hash: string };
    copy.close();
    assert.deepEqual(
      orgs.map((o) => (o as { code: string }).code),
      ['bk0', 'bk1', 'bk2', 'bk3', 'bk4'],
      'the newest commit is in the backup',
    );
    assert.deepEqual({ seq: head.seq, hash: head.hash }, { seq: live.seq, hash: live.hash });
    const meta = JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')) as { auditHead: { seq: number; hash: string } };
    assert.deepEqual(meta.auditHead, { seq: live.seq, hash: live.hash });
    assert.equal(existsSync(`${file}-wal`), false, 'one self-contained file');
    const v = await script(
      'audit-verify',
      ['--expect', `${meta.auditHead.seq}:${meta.auditHead.hash}`],
      `file:${file}`,
    );
    assert.equal(v.code, 0, v.err);
    // never overwrites
    const again = await script('backup', [file]);
    assert.equal(again.code, 2);
    assert.match(again.err, /exists: a backup never overwrites a file/);
  },
);

test.skipIf(PROVIDER !== 'postgresql')(
  'PostgreSQL: the head is recorded beside the file and the pg_dump command printed without the password',
  async () => {
    const file = join(dir, 'bot.dump');
    const url = t.url.replace('postgresql://postgres@', 'postgresql://postgres:s3cret@');
    const r = await script('backup', [file], t.url);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /pg_dump --format=custom --no-owner --file=/);
    const head = await t.app.db.prisma.auditHead.findUniqueOrThrow({ where: { id: 1 } });
    const meta = JSON.parse(readFileSync(`${file}.meta.json`, 'utf8')) as { auditHead: { seq: number; hash: string } };
    assert.deepEqual(meta.auditHead, { seq: head.seq, hash: head.hash });
    assert.doesNotMatch(url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@'), /s3cret/);
  },
);

test('usage errors exit 2', async () => {
  const r = await script('backup', []);
  assert.equal(r.code, 2);
  assert.match(r.err, /usage: npm run backup -- <file>/);
});
