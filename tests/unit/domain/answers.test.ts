import assert from 'node:assert/strict';
import { test } from 'vitest';
import { parseChoice } from '../../../src/domain/answers.ts';

test('parseChoice: English in any case and width, and the Japanese words, only where the answer is allowed', () => {
  const yn = ['yes', 'no'] as const;
  for (const s of ['yes', 'YES', 'ｙｅｓ', 'Ｙｅｓ', ' はい ', '同意', '同意します'])
    assert.equal(parseChoice(s, yn), 'yes', s);
  for (const s of ['no', 'ＮＯ', 'いいえ', '不同意', '同意しない']) assert.equal(parseChoice(s, yn), 'no', s);
  const rsvp = ['attend', 'absent', 'proxy'] as const;
  assert.equal(parseChoice('出席', rsvp), 'attend');
  assert.equal(parseChoice('欠席', rsvp), 'absent');
  assert.equal(parseChoice('代理', rsvp), 'proxy');
  assert.equal(parseChoice('代理出席', rsvp), 'proxy');
  assert.equal(parseChoice('ＡＴＴＥＮＤ', rsvp), 'attend');
  // a word is accepted only where its answer is: はい is not an RSVP, 出席 is not a yes
  assert.equal(parseChoice('はい', rsvp), null);
  assert.equal(parseChoice('出席', yn), null);
  assert.equal(parseChoice('maybe', yn), null);
  assert.equal(parseChoice('constructor', yn), null);
});
