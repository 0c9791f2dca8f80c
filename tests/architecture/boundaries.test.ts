import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? (n === 'generated' ? [] : files(p)) : p.endsWith('.ts') ? [p] : [];
  });
}
const imports = (f: string) =>
  [...readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map(
    (m) => m[1] as string,
  );

test('commands, core, domain and services never import a platform SDK or adapter', () => {
  const offenders: string[] = [];
  for (const dir of ['commands', 'src/core', 'src/domain', 'src/services']) {
    for (const f of files(join(ROOT, dir))) {
      for (const i of imports(f)) {
        if (/^@slack\/|^@mattermost\/|adapters\//.test(i)) offenders.push(`${relative(ROOT, f)} → ${i}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

test('the domain does no I/O: no database, network, file system or process', () => {
  const offenders: string[] = [];
  for (const f of files(join(ROOT, 'src/domain'))) {
    for (const i of imports(f)) {
      if (/\/db\/|@prisma|^pg$|better-sqlite3|^node:(fs|net|http|https|child_process|process)/.test(i))
        offenders.push(`${relative(ROOT, f)} → ${i}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('no module reads process.env except config and the composition root', () => {
  const allowed = new Set(['src/config.ts', 'src/main.ts']);
  const offenders = files(join(ROOT, 'src'))
    .map((f) => relative(ROOT, f))
    .filter((f) => !allowed.has(f) && /process\.env/.test(readFileSync(join(ROOT, f), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('one AsyncLocalStorage in src (src/db/async-context.ts): each more one costs every promise a hook call and a property', () => {
  const offenders: string[] = [];
  for (const f of files(join(ROOT, 'src'))) {
    if (relative(ROOT, f) === join('src', 'db', 'async-context.ts')) continue;
    if (/\bAsyncLocalStorage\b|\bcreateHook\s*\(/.test(readFileSync(f, 'utf8').replace(/\/\/.*|\/\*[\s\S]*?\*\//g, '')))
      offenders.push(relative(ROOT, f));
  }
  assert.deepEqual(offenders, [], 'use a slot of src/db/async-context.ts (contextSlot)');
});
