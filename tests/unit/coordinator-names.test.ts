/**
 * The coordinating organisation's names are data (issue 17): no message, help text, catalogue
 * item or string in the code writes them; every text says `{coordinator}` and the translator
 * fills it from the directory record through one function (src/domain/org-names.ts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'vitest';
import { groups } from '../../commands/index.ts';
import { commandFields } from '../../src/adapters/mattermost/register.ts';
import { buildManifest } from '../../src/adapters/slack/manifest.ts';
import { ROOT } from '../../src/app.ts';
import { catalog, latestVersion } from '../../src/domain/catalog.ts';
import { abbreviation, coordinatorName, type OrgNames } from '../../src/domain/org-names.ts';
import { allMessages, translator } from '../../src/i18n/index.ts';
import { shippedNames } from '../../src/services/directory-seed.ts';

/** Every name the coordinating organisation has gone by, in any spelling a text would use. */
const HARD_CODED =
  /NISC|ＮＩＳＣ|内閣サイバーセキュリティセンター|情報セキュリティセンター|国家サイバー統括室|National Cybersecurity Office|National center of Incident|\bNCO\b/i;

function helpTexts(): [string, string][] {
  const out: [string, string][] = [];
  for (const g of groups) {
    out.push([`${g.name} summary.ja`, g.summary.ja], [`${g.name} summary.en`, g.summary.en]);
    for (const c of g.commands) {
      const id = `${g.name} ${c.name ?? ''}`;
      out.push([`${id} summary.ja`, c.summary.ja], [`${id} summary.en`, c.summary.en], [`${id} usage`, c.usage]);
      for (const [k, v] of Object.entries(c.fields ?? {})) out.push([`${id} ${k}.ja`, v.ja], [`${id} ${k}.en`, v.en]);
    }
  }
  return out;
}

test('no message, help text or catalogue item writes the coordinating organisation’s name', () => {
  const { ja, en } = allMessages();
  const found: string[] = [];
  for (const [k, v] of [...Object.entries(ja), ...Object.entries(en), ...helpTexts()])
    if (HARD_CODED.test(v)) found.push(`${k}: ${v}`);
  for (let v = 1; v <= latestVersion; v++) {
    for (const it of catalog(v).items) {
      for (const L of ['ja', 'en'] as const) {
        if (HARD_CODED.test(it[L].title) || HARD_CODED.test(it[L].description)) found.push(`catalog v${v} ${it.id}`);
      }
    }
  }
  assert.deepEqual(found, []);
});

test('no string in the code writes it either (comments may)', () => {
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      return statSync(p).isDirectory() ? (n === 'generated' ? [] : walk(p)) : p.endsWith('.ts') ? [p] : [];
    });
  const found: string[] = [];
  for (const f of [...walk(join(ROOT, 'src')), ...walk(join(ROOT, 'commands')), ...walk(join(ROOT, 'scripts'))]) {
    const code = readFileSync(f, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
    for (const m of code.matchAll(/(['"`])((?:\\.|(?!\1).)*)\1/g)) {
      if (HARD_CODED.test(m[2] as string)) found.push(`${f.slice(ROOT.length + 1)}: ${m[0]}`);
    }
  }
  assert.deepEqual(found, []);
});

test('the templates that name it say {coordinator}, and are filled from the names given', () => {
  const nco: OrgNames = {
    nameJa: '国家サイバー統括室',
    nameEn: 'National Cybersecurity Office',
    short: ['NCO', 'NISC'],
  };
  const ja = translator('ja', { coordinator: nco });
  const en = translator('en', { coordinator: nco });
  assert.match(ja('report.done', { id: 'INC-2026-0001', count: 0 }), /国家サイバー統括室（NCO）へ通知しました/);
  assert.match(en('report.done', { id: 'INC-2026-0001', count: 0 }), /The National Cybersecurity Office \(NCO\) has/);
  assert.match(ja('report.org_not_allowed', { org: 'mof' }), /国家サイバー統括室の担当者のみ/);
  assert.match(ja.fill(catalog(1).items.find((i) => i.id === 'RSP-03')?.ja.title ?? ''), /^国家サイバー統括室へ/);
  // renamed: the same templates, the new names
  const renamed = { coordinator: { nameJa: 'サイバー安全保障庁', nameEn: 'Cyber Security Agency', short: [] } };
  assert.match(translator('ja', renamed)('report.done', { id: 'x', count: 0 }), /サイバー安全保障庁へ通知しました/);
  assert.match(translator('en', renamed)('report.done', { id: 'x', count: 0 }), /The Cyber Security Agency has/);
  // none registered: the generic words, never a proper name
  assert.match(translator('ja', { coordinator: null })('report.done', { id: 'x', count: 0 }), /調整機関へ通知/);
  assert.match(translator('en')('report.org_not_allowed', { org: 'x' }), /the coordinating office's handlers/);
});

test('coordinatorName: the abbreviation is the first acronym among the short names', () => {
  const n = (short: string[]): OrgNames => ({
    nameJa: '国家サイバー統括室',
    nameEn: 'National Cybersecurity Office',
    short,
  });
  assert.equal(coordinatorName(n(['統括室', 'NCO', 'NISC']), 'ja', 'full'), '国家サイバー統括室（NCO）');
  assert.equal(coordinatorName(n(['NCO']), 'en', 'full'), 'National Cybersecurity Office (NCO)');
  assert.equal(coordinatorName(n([]), 'ja', 'full'), '国家サイバー統括室');
  assert.equal(coordinatorName(n(['NCO']), 'ja'), '国家サイバー統括室');
  assert.equal(abbreviation({ short: ['Ministry of Defence', 'mod', 'MOD'] }), 'MOD');
  assert.equal(coordinatorName(null, 'en', 'full'), 'coordinating office');
  assert.equal(coordinatorName({ nameJa: ' ', nameEn: '', short: [] }, 'ja'), '調整機関');
});

test('the shipped directory names 国家サイバー統括室 (NCO); the Slack manifest and Mattermost command say so', () => {
  const names = shippedNames();
  assert.equal(names.coordinator?.nameJa, '国家サイバー統括室');
  assert.equal(names.coordinator?.nameEn, 'National Cybersecurity Office');
  assert.equal(names.coordinator && abbreviation(names.coordinator), 'NCO');
  const m = buildManifest({ groups, locale: 'ja', socketMode: true, names }) as {
    display_information: { description: string };
    features: { slash_commands: { description: string }[] };
  };
  assert.match(m.display_information.description, /^国家サイバー統括室と府省庁の CSIRT 窓口/);
  assert.match(m.features.slash_commands[0]?.description ?? '', /インシデントを国家サイバー統括室に報告します/);
  assert.match(commandFields(groups, 'en', names).auto_complete_desc, /the National Cybersecurity Office and/);
});
