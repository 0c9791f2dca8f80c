/**
 * Issue 19 item 6: message keys are typed. A key no area defines, a UserError code that is no
 * key, a family of keys that does not exist, and an area whose English lacks (or adds) a key
 * are compile errors. The `@ts-expect-error` lines below are checked by `npm run check` (tsc):
 * if any of them stopped being an error, tsc would fail on the unused directive. The run-time
 * part checks what the types cannot: the keys built from a family and a value exist.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { UserError } from '../../src/core/errors.ts';
import { ADVISORY_STATUSES } from '../../src/domain/advisory-status.ts';
import { SEVERITIES, SHARES, STATUSES } from '../../src/domain/incident-status.ts';
import { defineCatalog } from '../../src/i18n/catalog.ts';
import { allMessages, keyOf, t } from '../../src/i18n/index.ts';

/** What the compiler must refuse; run as well, where nothing of it may throw. */
function compileTimeChecks(): unknown[] {
  return [
    t('ja', 'incident.not_found', { id: 'INC-2026-0001' }),
    // @ts-expect-error a key that no area defines
    t('ja', 'incident.not_fonud'),
    // @ts-expect-error a UserError code must be a message key
    new UserError('advisory.no_such_code'),
    keyOf('incident.status.', 'open'),
    // @ts-expect-error a family that no key starts with
    keyOf('incident.statuz.', 'open'),
    // @ts-expect-error English without a key Japanese has
    defineCatalog({ ja: { 'x.a': 'あ', 'x.b': 'い' }, en: { 'x.a': 'a' } }),
    // @ts-expect-error English with a key Japanese lacks
    defineCatalog({ ja: { 'x.a': 'あ' }, en: { 'x.a': 'a', 'x.b': 'b' } }),
  ];
}

test('the lines the compiler refuses do nothing harmful when run: an unknown key shows itself', () => {
  const r = compileTimeChecks();
  assert.equal(r.length, 7);
  assert.equal(r[1], 'incident.not_fonud');
  assert.ok(r[2] instanceof UserError);
});

test('every key built from a family and a value exists in both languages', () => {
  const m = allMessages();
  const built = [
    ...STATUSES.map((s) => keyOf('incident.status.', s)),
    ...SEVERITIES.map((s) => keyOf('incident.severity.', s)),
    ...SHARES.map((s) => keyOf('incident.share.', s)),
    ...ADVISORY_STATUSES.map((s) => keyOf('advisory.st.', s)),
    ...ADVISORY_STATUSES.map((s) => keyOf('advisory.is_', s)),
  ];
  for (const k of built) {
    assert.ok(m.ja[k], `ja ${k}`);
    assert.ok(m.en[k], `en ${k}`);
  }
  // an unknown value shows itself (never an exception in front of a person)
  assert.equal(t('en', keyOf('incident.status.', 'bogus')), 'incident.status.bogus');
  assert.deepEqual(Object.keys(m.ja).sort(), Object.keys(m.en).sort(), 'the same keys in both languages');
});
