/**
 * The repository is self-contained: nothing in it reads or points at a folder beside it (the
 * design documents, API specs and taxonomy data it needs are in docs/design/ and
 * tests/fixtures/), so a clone alone builds, runs and passes its tests.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';

/**
 * The folder beside the repository, spelt in pieces so that this file, like every other, never
 * names it as a path (and needs no exception in the scan below).
 */
const BESIDE = ['sha', 'red'].join('');
/** `../<beside>`, `<beside>/specs/…`, `'..', '<beside>'`: the ways a path out of the repository was written. */
const OUTSIDE = new RegExp(
  `\\.\\.[/\\\\]${BESIDE}\\b|(?<![\\w.-])${BESIDE}[/\\\\](design|domain|specs|hooks)\\b|['"]\\.\\.['"],\\s*['"]${BESIDE}['"]`,
);

const SKIP = new Set([
  'node_modules',
  '.git',
  'generated',
  'dist',
  'coverage',
  '.pg-test',
  '.pg-embedded',
  'bench-results',
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    if (SKIP.has(n)) return [];
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('the pattern catches each way of writing a path outside the repository', () => {
  for (const s of [
    `new URL('../../../${BESIDE}/specs/slack/', import.meta.url)`,
    `join(ROOT, '..', '${BESIDE}', 'domain', 'rsit.json')`,
    `See ../${BESIDE}/design/PRISMA-OFFLINE.md.`,
    `checked against \`${BESIDE}/domain/rsit.json\``,
  ]) {
    assert.match(s, OUTSIDE, s);
  }
  for (const s of ['a shared counter', 'reports shared with consent', 'tests/fixtures/specs/slack/']) {
    assert.doesNotMatch(s, OUTSIDE, s);
  }
});

test('no file in the repository refers to the folder beside it or anything outside it', () => {
  const offenders: string[] = [];
  for (const f of files(ROOT)) {
    const text = readFileSync(f, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (OUTSIDE.test(line)) offenders.push(`${relative(ROOT, f)}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  assert.deepEqual(offenders, []);
});
