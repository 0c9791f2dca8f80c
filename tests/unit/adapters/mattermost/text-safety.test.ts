/** Mattermost text safety: every vector from RELIABILITY.md, through escape and render. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  escapeMarkdown,
  fenceCode,
  neutraliseMentions,
  plainText,
} from '../../../../src/adapters/mattermost/escape.ts';
import { renderMessage, renderText } from '../../../../src/adapters/mattermost/render.ts';
import { commandResponse } from '../../../../src/adapters/mattermost/respond.ts';
import { translator } from '../../../../src/i18n/index.ts';
import { mattermostMentions, shownText } from '../../../helpers/mattermost.ts';

const t = translator('en');
const sign = (c: string) => `signed:${c.length}`;
/** `@` followed by a mention the server would notify */
const LIVE_MENTION = /@(channel|all|here)\b/i;

for (const word of ['@channel', '@all', '@here', '@Channel', '@ALL', '@here.', '@channel,', '(@all)', '@all_team']) {
  test(`"${word}" cannot notify, and still reads the same`, () => {
    const out = escapeMarkdown(`hello ${word} there`);
    assert.doesNotMatch(out, LIVE_MENTION);
    assert.equal(shownText(out), `hello ${word} there`);
    assert.doesNotMatch(neutraliseMentions(word), LIVE_MENTION);
  });
}

for (const [text, names] of [
  ['連絡は @tanaka まで', ['tanaka']],
  ['(@tanaka) と x.@sato と -@suzuki と :@ito と :@emoji:', ['tanaka', 'sato', 'suzuki', 'ito']],
  ['農水省@tanaka', []],
  ['@maff-csirt-group の皆様', ['maff-csirt-group']],
  ['user@example.jp に返信', []],
  ['`@in-code` と\n```\n@in-block\n```', []],
] as const) {
  test(`the oracle reads mentions as the server does: ${JSON.stringify(text)}`, () => {
    assert.deepEqual(mattermostMentions(text).sort(), [...names].sort());
  });
}

for (const word of [
  '@tanaka',
  '(@tanaka)',
  'x.@tanaka',
  '-@tanaka',
  ':@tanaka',
  '_@tanaka',
  '農水省@tanaka',
  '@ta.na_ka',
  '@TANAKA',
  '＠tanaka',
]) {
  test(`a mention of a person or group from user text cannot notify: ${JSON.stringify(word)}`, () => {
    for (const out of [
      escapeMarkdown(`連絡は ${word} まで`),
      renderText({ blocks: [{ kind: 'text', text: word }] }, t),
    ]) {
      assert.deepEqual(mattermostMentions(out), []);
      assert.doesNotMatch(out, /(?<![A-Za-z0-9])@(?!\u200d)[\p{L}\p{N}]/u, 'the web app would highlight it');
    }
    assert.equal(shownText(escapeMarkdown(word)), word);
  });
}

test('an e-mail address stays as it was written (people copy it), and is no mention', () => {
  for (const mail of ['user@example.jp', 'first.last+tag@mail.go.jp', 'a_b@c-d.example']) {
    const out = escapeMarkdown(mail);
    assert.equal(out.replace(/\\/g, ''), mail.replace(/\\/g, ''));
    assert.ok(!out.includes('\u200d'), out);
    assert.deepEqual(mattermostMentions(out), []);
  }
});

test('property: no text, however built, becomes a mention, and it reads the same (fast-check)', () => {
  const unit = fc.constantFrom(
    '@',
    'a',
    'Z',
    '1',
    '.',
    '-',
    '_',
    ':',
    ' ',
    '(',
    '農',
    '\n',
    'channel',
    'here',
    '`',
    '*',
    '<',
    '!',
    '#',
  );
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 30 }), (s) => {
      const out = escapeMarkdown(s);
      assert.deepEqual(mattermostMentions(out), [], JSON.stringify({ s, out }));
      assert.equal(shownText(out), s);
    }),
    { seed: 15, numRuns: 2000 },
  );
});

for (const slack of ['<!channel>', '<!here>', '<!all>', '<!everyone>', '<@abc123>', '<!subteam^S1>']) {
  test(`Slack syntax ${slack} is not left for the server to expand`, () => {
    const out = escapeMarkdown(`x ${slack} y`);
    assert.doesNotMatch(out, /<[!@]/);
    assert.equal(shownText(out), `x ${slack} y`);
  });
}

for (const link of [
  '[gov.example](https://evil.example)',
  '![logo](https://evil.example/x.png)',
  '<https://evil.example|gov.example>',
  '<https://evil.example>',
  '[gov.example][1]\n\n[1]: https://evil.example',
  '[gov.example]( https://evil.example "title")',
]) {
  test(`a disguised link cannot come out: ${JSON.stringify(link)}`, () => {
    const out = escapeMarkdown(link);
    assert.doesNotMatch(out, /(?<!\\)\[[^\]]*(?<!\\)\]\s*[([]/, 'no markdown link or image');
    assert.doesNotMatch(out, /<https?:/, 'no autolink or Slack link');
    assert.equal(shownText(out), link);
  });
}

test('other markdown is literal: emphasis, headings, lists, quotes, tables, code, html', () => {
  const s = '# title\n> quote\n- item\n1. first\n*bold* _it_ ~~x~~ `code` | a | b |\n<b>html</b> & &amp;';
  const out = escapeMarkdown(s);
  assert.equal(shownText(out), s);
  assert.doesNotMatch(out, /^(#|>|-|1\.)/m);
  assert.doesNotMatch(out, /(?<!\\)[*_`|~]/);
  assert.doesNotMatch(out, /<b>/);
});

test('code cannot close its fence early and still cannot notify', () => {
  const code = 'a ``` b\n````\n@channel <!here>';
  const out = fenceCode(code);
  const fence = out.split('\n')[0]!;
  assert.ok(fence.length >= 5);
  assert.equal(out.split('\n').filter((l) => l === fence).length, 2);
  assert.doesNotMatch(out, LIVE_MENTION);
});

test('plain text (button names, dialog labels) has no angle brackets or live mentions and is clipped', () => {
  const out = plainText('<!channel> @here very long label', 12);
  assert.doesNotMatch(out, /[<>]|@here/);
  assert.equal([...out].length, 12);
});

test('a whole reply: every block kind is escaped; buttons carry signed commands only', () => {
  const evil = '@channel <!here> [x](https://e.example)';
  const m = renderMessage(
    {
      blocks: [
        { kind: 'heading', text: evil },
        { kind: 'text', text: evil },
        { kind: 'context', text: evil },
        { kind: 'fields', fields: [[evil, evil]] },
        { kind: 'table', head: ['a', 'b'], rows: [[evil, 'x|y']] },
        { kind: 'code', text: evil },
      ],
      actions: [{ label: `${evil} go`, command: 'org add zz', style: 'danger' }],
      attachments: [{ filename: 'plan.csv', mime: 'text/csv', data: '' }],
    },
    t,
    sign,
    'https://bot.example/mattermost/action',
  );
  assert.doesNotMatch(m.message, LIVE_MENTION);
  assert.doesNotMatch(m.message, /<[!@h]/);
  // in a code block markdown is not parsed: links only matter outside it
  const outsideCode = m.message.replace(/^(`{3,})\n[\s\S]*?\n\1$/gm, '');
  assert.doesNotMatch(outsideCode, /(?<!\\)\[[^\]]*(?<!\\)\]\(/);
  assert.match(m.message, /plan\.csv/);
  assert.match(m.message, /\| a \| b \|/);
  const action = m.attachments[0]!.actions[0]!;
  assert.equal(action.integration.context.token, 'signed:10');
  assert.equal(action.style, 'danger');
  assert.doesNotMatch(action.name + m.attachments[0]!.fallback, /[<>]|@channel|@here/);
  const text = renderText({ blocks: [{ kind: 'text', text: evil }], actions: [{ label: 'Go', command: 'help' }] }, t);
  assert.doesNotMatch(text, LIVE_MENTION);
  assert.match(shownText(text), /\/csirt help/);
});

test('command responses say skip_slack_parsing and map visibility', () => {
  const eph = commandResponse({ visibility: 'ephemeral', blocks: [{ kind: 'text', text: 'x' }] }, t, sign, 'u');
  assert.equal(eph.response_type, 'ephemeral');
  assert.equal(eph.skip_slack_parsing, true);
  assert.equal(eph.attachments, undefined);
  const ch = commandResponse({ visibility: 'channel', blocks: [{ kind: 'text', text: 'x' }] }, t, sign, 'u');
  assert.equal(ch.response_type, 'in_channel');
});

test('a very long reply is cut under the post limit', () => {
  const m = renderMessage({ blocks: [{ kind: 'text', text: 'あ'.repeat(20_000) }] }, t, sign, 'u');
  assert.ok([...m.message].length <= 16_000);
});
