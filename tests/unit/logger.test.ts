/**
 * Logs for people on a terminal, JSON for machines: one coloured line per event when stderr is a
 * TTY (the real bot under a pseudo-terminal), JSON lines otherwise; redaction holds in both.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { createLogger, prettyLine } from '../../src/logger.ts';

const ESC = '\x1b[';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

test('a pretty line: time, level, message, fields; one line even when the message has line breaks', () => {
  const line = prettyLine(
    JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      app: 'x',
      msg: 'slow\npost',
      ms: 812,
      to: 'C 1',
    }),
    false,
  );
  assert.match(line, /^\d\d:\d\d:\d\d\.006 WARN {2}slow ⏎ post ms=812 to="C 1"$/);
  assert.doesNotMatch(line, /\n/);
  assert.ok(!line.includes(ESC), 'no colour when not asked');
  assert.ok(prettyLine(JSON.stringify({ level: 50, msg: 'x' }), true).includes(`${ESC}31mERROR`), 'errors in red');
});

test('an error field shows its type, message and first frame on the same line', () => {
  const err = new TypeError('boom');
  const line = prettyLine(
    JSON.stringify({ level: 50, msg: 'failed', err: { type: 'TypeError', message: err.message, stack: err.stack } }),
    false,
  );
  assert.match(line, /err="TypeError: boom \(at .+logger\.test\.ts:\d+:\d+\)"$/);
});

test('redaction holds in the pretty format too', () => {
  const { stream, lines } = capture();
  const log = createLogger('info', stream, 'pretty');
  log.info({ token: 'xoxb-SECRET', headers: { authorization: 'Bearer SECRET' }, body: 'SECRET' }, 'request');
  assert.equal(lines.length, 1);
  assert.doesNotMatch(lines[0] ?? '', /SECRET/);
  assert.match(lines[0] ?? '', /\[redacted\]/);
});

test('JSON lines when asked, or when the destination is not a terminal', () => {
  for (const format of ['json', 'auto'] as const) {
    const { stream, lines } = capture();
    createLogger('info', stream, format).info({ n: 1 }, 'hello');
    const o = JSON.parse(lines[0] ?? '') as { msg: string; n: number; level: number };
    assert.deepEqual([o.msg, o.n, o.level], ['hello', 1, 30]);
  }
});

const hasScript = spawnSync('script', ['--version']).status === 0;

test('the real bot: coloured lines on a terminal, JSON lines when stderr is a pipe', { skip: !hasScript }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'csirt-log-'));
  const bot = `node --import tsx src/main.ts`;
  const env = { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  // `script` gives the bot a pseudo-terminal for stdout and stderr; stdin is a pipe, as in `npm start < file`
  const tty = execFileSync(
    'script',
    ['-qec', `printf '/csirt help\\n' | DATABASE_URL=file:${dir}/a.db ${bot} >/dev/null`, '/dev/null'],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 },
  );
  const started = tty.split(/\r?\n/).find((l) => l.includes('csirt-poc-bot started')) ?? '';
  assert.match(started, new RegExp(`^${ESC.replace('[', '\\[')}2m\\d\\d:\\d\\d:\\d\\d\\.\\d{3}`), tty);
  assert.ok(started.includes(`${ESC}32mINFO`), 'the level in colour');
  assert.doesNotMatch(tty, /"level":/, 'no JSON on a terminal');

  const piped = spawnSync(
    'sh',
    ['-c', `printf '/csirt help\\n' | DATABASE_URL=file:${dir}/b.db ${bot} 2>&1 >/dev/null`],
    {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const lines = piped.stdout.split('\n').filter(Boolean);
  assert.ok(lines.length > 0, piped.stderr);
  for (const l of lines) assert.equal(typeof (JSON.parse(l) as { level: number }).level, 'number', l);
});
