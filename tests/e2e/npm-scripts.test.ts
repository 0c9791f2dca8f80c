/**
 * The operator scripts as a checkout runs them: `npm run <name>`, which package.json runs as
 * `node --import tsx scripts/<name>.ts`. The other tests run the same scripts compiled once per
 * test run (tests/helpers/scripts.ts, as the shipped package does); this file keeps the
 * commands people type in a checkout working: each loads its whole module graph through tsx and
 * answers. About the loader and package.json, not a database: SQLite only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { COMPILED_SCRIPTS } from '../helpers/global-scripts.ts';

const exec = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'npm-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

function npmRun(name: string, args: string[], env: Record<string, string> = {}) {
  return exec('npm', ['run', '--silent', name, '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  }).then(
    (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
  );
}

test('every script the tests run compiled is an npm script that runs its source through tsx', () => {
  for (const s of COMPILED_SCRIPTS) {
    const name = Object.keys(scripts).find((k) => k.replace(':', '-') === s);
    assert.ok(name, `no npm script for scripts/${s}.ts`);
    assert.equal(scripts[name], `node --import tsx scripts/${s}.ts`);
  }
});

test('npm run db:migrate then audit:verify on a new SQLite file; the others answer their usage', async () => {
  const url = `file:${join(dir, 'new.db')}`;
  // all at once (the two on the file one after the other): each is a tsx start, ~4 s under load
  const onFile = (async () => {
    const m = await npmRun('db:migrate', [], { DATABASE_URL: url });
    return { m, v: await npmRun('audit:verify', [], { DATABASE_URL: url }) };
  })();
  const [backup, restore, retention, erase, manifest] = await Promise.all([
    npmRun('backup', []),
    npmRun('restore', []),
    npmRun('retention', ['--aply']),
    npmRun('erase', []),
    npmRun('slack:manifest', [], { PUBLIC_URL: 'https://bot.example.go.jp' }),
  ]);
  const { m, v } = await onFile;
  assert.equal(m.code, 0, m.err);
  assert.match(m.out, /applied: \d{14}_init/);
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /audit chain OK: 0 records/);
  for (const [r, re] of [
    [backup, /usage: npm run backup -- <file>/],
    [restore, /usage: npm run restore -- <backup file>/],
    [retention, /unknown argument --aply \(usage: npm run retention/],
    [erase, /usage: npm run erase -- <identity/],
  ] as const) {
    assert.equal(r.code, 2, `${r.out}${r.err}`);
    assert.match(`${r.out}${r.err}`, re);
  }
  assert.equal(manifest.code, 0, manifest.err);
  assert.equal(JSON.parse(manifest.out).features.slash_commands[0].url, 'https://bot.example.go.jp/slack/events');
});
