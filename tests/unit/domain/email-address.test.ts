/** The e-mail address rule (src/domain/email-address.ts): one stored form, hostile spellings refused. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import { loadConfig } from '../../../src/config.ts';
import { normalizeEmailAddress } from '../../../src/domain/email-address.ts';

const ok = (raw: string) => {
  const r = normalizeEmailAddress(raw);
  assert.ok(r.ok, `${JSON.stringify(raw)} refused: ${JSON.stringify(r)}`);
  return r.address;
};
const problem = (raw: string) => {
  const r = normalizeEmailAddress(raw);
  assert.ok(!r.ok, `${JSON.stringify(raw)} accepted as ${r.ok ? r.address : ''}`);
  return r;
};

test('addresses as people type them are stored in one form', () => {
  assert.equal(ok('csirt@maff.go.jp'), 'csirt@maff.go.jp');
  assert.equal(ok('  CSIRT@MAFF.GO.JP  '), 'CSIRT@maff.go.jp');
  // full-width letters, ＠ and ． (NFKC)
  assert.equal(ok('ｃｓｉｒｔ＠ｍａｆｆ．ｇｏ．ｊｐ'), 'csirt@maff.go.jp');
  assert.equal(ok('mailto:csirt@maff.go.jp'), 'csirt@maff.go.jp');
  assert.equal(ok('<csirt+alerts@maff.go.jp>'), 'csirt+alerts@maff.go.jp');
  assert.equal(ok('csirt@maff.go.jp.'), 'csirt@maff.go.jp');
  // an internationalised domain in its ASCII form
  assert.equal(ok('csirt@農林水産省.jp'), 'csirt@xn--btvq6hbqjw1b595c.jp');
  assert.equal(ok('first.last@sub-domain.example.org'), 'first.last@sub-domain.example.org');
});

test('a line break (header injection) is refused, however written', () => {
  for (const s of [
    'a@b.jp\r\nBcc: x@evil.example',
    'a@b.jp\nBcc: x@evil.example',
    'a@b.jp\r',
    'a@b.jp\u2028',
    'a@b.jp\u0085',
  ])
    assert.equal(problem(s).problem, 'line_break', JSON.stringify(s));
});

test('invisible and control characters are refused with their code point', () => {
  assert.deepEqual(problem('cs\u200Birt@maff.go.jp'), { ok: false, problem: 'invisible', char: 'U+200B' });
  assert.deepEqual(problem('csirt@maff\u202E.go.jp'), { ok: false, problem: 'invisible', char: 'U+202E' });
  assert.deepEqual(problem('csirt@maff.go.jp\u2066'), { ok: false, problem: 'invisible', char: 'U+2066' });
  assert.deepEqual(problem('csirt\u0000@maff.go.jp'), { ok: false, problem: 'invisible', char: 'U+0000' });
  assert.deepEqual(problem('\uFEFFcsirt@maff.go.jp'), { ok: false, problem: 'invisible', char: 'U+FEFF' });
  assert.deepEqual(problem('csirt@ma\u00ADff.go.jp'), { ok: false, problem: 'invisible', char: 'U+00AD' });
});

test('bad shapes, local parts and domains are refused', () => {
  const cases: [string, string][] = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['csirt', 'shape'],
    ['csirt@', 'shape'],
    ['@maff.go.jp', 'shape'],
    ['a@b@maff.go.jp', 'shape'],
    ['a b@maff.go.jp', 'shape'],
    ['a@maff.go.jp, b@maff.go.jp', 'shape'],
    ['.a@maff.go.jp', 'local'],
    ['a.@maff.go.jp', 'local'],
    ['a..b@maff.go.jp', 'local'],
    ['"a b"@maff.go.jp', 'shape'],
    ['a(b)@maff.go.jp', 'local'],
    ['担当@maff.go.jp', 'local_not_ascii'],
    ['a@localhost', 'domain'],
    ['a@[192.0.2.1]', 'domain'],
    ['a@maff_go.jp', 'domain'],
    ['a@-maff.go.jp', 'domain'],
    ['a@maff..jp', 'domain'],
    ['a@maff.go.j', 'domain'],
    ['a@maff.go.123', 'domain'],
    [`${'a'.repeat(65)}@maff.go.jp`, 'too_long'],
  ];
  for (const [s, p] of cases) assert.equal(problem(s).problem, p, JSON.stringify(s));
});

test('properties: never throws; a stored form is stored as itself and holds no CR, LF or invisible', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (s) => {
      const r = normalizeEmailAddress(s);
      if (!r.ok) return;
      assert.doesNotMatch(r.address, /[\r\n\s\p{Cc}\p{Cf}]/u);
      const again = normalizeEmailAddress(r.address);
      assert.ok(again.ok && again.address === r.address);
    }),
    { numRuns: 3000 },
  );
  const local = fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9+_-]{1,8})?$/);
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
  fc.assert(
    fc.property(
      local,
      fc.array(label, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('jp', 'org', 'example'),
      (l, ls, tld) => {
        const addr = `${l}@${[...ls, tld].join('.')}`;
        assert.equal(ok(addr), addr);
        // full-width spelling gives the same stored form
        const wide = addr.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
        assert.equal(ok(wide), addr);
        // an injected header never survives
        assert.equal(problem(`${addr}\r\nBcc: x@evil.example`).problem, 'line_break');
      },
    ),
  );
});

test('SMTP_URL and MAIL_FROM: a bad value stops the start naming the variable, never the password', () => {
  const load = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };
  assert.equal(load({}), null);
  assert.equal(load({ SMTP_URL: 'smtp://u:p@mail.example.jp:587', MAIL_FROM: 'bot@example.go.jp' }), null);
  assert.equal(load({ SMTP_URL: 'smtps://mail.example.jp', MAIL_FROM: 'bot@example.go.jp' }), null);
  assert.equal(load({ SMTP_URL: 'smtp://mail.example.jp?starttls=required', MAIL_FROM: 'bot@example.go.jp' }), null);
  const bad = load({ SMTP_URL: 'http://u:secret-pw@mail.example.jp', MAIL_FROM: 'bot@example.go.jp' }) ?? '';
  assert.match(bad, /^SMTP_URL: the scheme must be smtp:\/\/ or smtps:\/\//);
  assert.doesNotMatch(bad, /secret-pw/);
  assert.match(load({ SMTP_URL: 'smtp://mail.example.jp?tls=no', MAIL_FROM: 'b@example.jp' }) ?? '', /^SMTP_URL:/);
  assert.match(load({ SMTP_URL: 'smtp://mail.example.jp' }) ?? '', /^MAIL_FROM: required with SMTP_URL/);
  assert.match(load({ MAIL_FROM: 'bot@example.go.jp' }) ?? '', /^SMTP_URL: required with MAIL_FROM/);
  assert.match(
    load({ SMTP_URL: 'smtp://mail.example.jp', MAIL_FROM: 'bot@example.go.jp\r\nBcc: x@evil.example' }) ?? '',
    /^MAIL_FROM: an e-mail address/,
  );
  assert.equal(
    loadConfig({ SMTP_URL: 'smtp://m.example.jp', MAIL_FROM: 'ＢＯＴ＠Example.GO.JP' }).MAIL_FROM,
    'BOT@example.go.jp',
  );
});
