/** Runs the real bot (`npm start`'s entry) with a script on stdin, as a user would. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDER, testDb } from './app.ts';
import { BOT_ARGS, BOT_ENV, TEST_BOT_SETTINGS } from './bot-entry.ts';
import { copySqliteTemplate } from './db-template.ts';
import { dropLater } from './drop-later.ts';
import { assertOnPgPass } from './pg-pass.ts';

export interface ConsoleRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A new, empty SQLite database file (the bot migrates it at start). */
export function freshSqliteUrl(): string {
  return `file:${join(mkdtempSync(join(tmpdir(), 'csirt-console-')), 'bot.db')}`;
}

/**
 * A fresh database of the provider under test (a new PostgreSQL database when
 * TEST_PROVIDER=postgresql): a copy of the migrated template (tests/helpers/db-template.ts), or
 * with `empty: true` a truly empty one that the bot migrates at start. A PostgreSQL database is
 * dropped when the test file ends (tests/helpers/drop-later.ts).
 */
export async function freshDbUrl(opts: { empty?: boolean } = {}): Promise<string> {
  if (PROVIDER !== 'postgresql') {
    assertOnPgPass();
    const url = freshSqliteUrl();
    if (!opts.empty) await copySqliteTemplate(url.slice('file:'.length));
    return url;
  }
  const db = await testDb(opts);
  dropLater(db.drop);
  return db.url;
}

export async function runBot(
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<ConsoleRun> {
  const url = env.DATABASE_URL ?? (await freshDbUrl());
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...BOT_ARGS], {
      cwd: mkdtempSync(join(tmpdir(), 'csirt-cwd-')),
      env: {
        ...BOT_ENV,
        PATH: process.env.PATH ?? '',
        ...TEST_BOT_SETTINGS,
        ...env,
        DATABASE_URL: url,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bot did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(script);
  });
}
