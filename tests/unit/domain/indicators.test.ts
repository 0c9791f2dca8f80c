import assert from 'node:assert/strict';
import fc from 'fast-check';
import { test } from 'vitest';
import {
  defang,
  INDICATOR_TYPES,
  type IndicatorType,
  normalizeIndicator,
  normalizeIndicators,
} from '../../../src/domain/indicators.ts';

const FC = { seed: 424242, numRuns: 1000 };

type Row = [input: string, expected: [IndicatorType, string] | null];

const ROWS: Row[] = [
  // IPv4
  ['1.2.3.4', ['ipv4', '1.2.3.4']],
  ['0.0.0.0', ['ipv4', '0.0.0.0']],
  ['255.255.255.255', ['ipv4', '255.255.255.255']],
  ['  192.0.2.1 \t', ['ipv4', '192.0.2.1']],
  ['192.0.2[.]1', ['ipv4', '192.0.2.1']],
  ['192[.]0(.)2{.}1', ['ipv4', '192.0.2.1']],
  ['1.2.3.4/', ['ipv4', '1.2.3.4']],
  ['<198.51.100.7>', ['ipv4', '198.51.100.7']],
  // IPv6
  ['2001:0DB8:0000:0000:0000:0000:0000:0001', ['ipv6', '2001:db8::1']],
  ['2001:db8:0:0:1:0:0:1', ['ipv6', '2001:db8::1:0:0:1']],
  ['2001:db8:0:1:1:1:1:1', ['ipv6', '2001:db8:0:1:1:1:1:1']],
  ['2001:db8:0000:0:0:0::1', ['ipv6', '2001:db8::1']],
  ['::ffff:192.0.2.1', ['ipv6', '::ffff:192.0.2.1']],
  ['::FFFF:C000:0201', ['ipv6', '::ffff:192.0.2.1']],
  ['[2001:db8::1]', ['ipv6', '2001:db8::1']],
  ['::1', ['ipv6', '::1']],
  ['FE80::', ['ipv6', 'fe80::']],
  // Domains
  ['EXAMPLE.COM.', ['domain', 'example.com']],
  ['example[.]com', ['domain', 'example.com']],
  ['sub(.)example{.}org', ['domain', 'sub.example.org']],
  ['www[dot]example(DOT)net', ['domain', 'www.example.net']],
  ['例え.jp', ['domain', 'xn--r8jz45g.jp']],
  ['例え。jp', ['domain', 'xn--r8jz45g.jp']],
  ['ＥＸＡＭＰＬＥ．ＣＯＭ', ['domain', 'example.com']],
  ['xn--r8jz45g.jp', ['domain', 'xn--r8jz45g.jp']],
  ['"evil.example.co.jp"', ['domain', 'evil.example.co.jp']],
  ['a_b.example.com', ['domain', 'a_b.example.com']],
  ['example.com/', ['domain', 'example.com']],
  // URLs
  ['hxxps://Evil[.]Example[.]com:443/Path?q=1#frag', ['url', 'https://evil.example.com/Path?q=1']],
  ['hXXp://example[.]com/', ['url', 'http://example.com/']],
  ['HTTP://EXAMPLE.COM', ['url', 'http://example.com/']],
  ['http://example.com:80/a', ['url', 'http://example.com/a']],
  ['http://example.com:8080/a', ['url', 'http://example.com:8080/a']],
  ['https://example.com:80/', ['url', 'https://example.com:80/']],
  ['hxxp[://]evil[.]com/a/B/c.php', ['url', 'http://evil.com/a/B/c.php']],
  ['hxxp[:]//1.2.3[.]4/x', ['url', 'http://1.2.3.4/x']],
  ['http://[2001:DB8::1]:8443/p', ['url', 'http://[2001:db8::1]:8443/p']],
  ['http://user:pass@Evil.com/', ['url', 'http://user:pass@evil.com/']],
  ['http://paypal.com@evil.example.net/login', ['url', 'http://paypal.com@evil.example.net/login']],
  ['https://例え.jp/パス?q=値', ['url', 'https://xn--r8jz45g.jp/パス?q=値']],
  ['ftp://files.example.org', ['url', 'ftp://files.example.org/']],
  ['fxp://files[.]example[.]org/x', ['url', 'ftp://files.example.org/x']],
  ['https://example.com?x=1', ['url', 'https://example.com/?x=1']],
  ['https://example.com/%7Euser/A%2fb', ['url', 'https://example.com/%7Euser/A%2fb']],
  ['https://example.com/a/../b', ['url', 'https://example.com/a/../b']],
  ['<https://example.com/a>', ['url', 'https://example.com/a']],
  ['https://a.example/r?u=hxxp://b[.]example/', ['url', 'https://a.example/r?u=http://b.example/']],
  // E-mail
  ['user@example.com', ['email', 'user@example.com']],
  ['John.Doe[at]Example[.]COM', ['email', 'John.Doe@example.com']],
  ['info[@]evil(.)example(.)jp', ['email', 'info@evil.example.jp']],
  ['mailto:Alert@Example.org', ['email', 'Alert@example.org']],
  ['x+tag@例え.jp', ['email', 'x+tag@xn--r8jz45g.jp']],
  // Hashes
  ['D41D8CD98F00B204E9800998ECF8427E', ['md5', 'd41d8cd98f00b204e9800998ecf8427e']],
  ['DA39A3EE5E6B4B0D3255BFEF95601890AFD80709', ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709']],
  [
    'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    ['sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ],
  ["'d41d8cd98f00b204e9800998ecf8427e'", ['md5', 'd41d8cd98f00b204e9800998ecf8427e']],
  // Invalid
  ['', null],
  ['   ', null],
  ['example', null],
  ['1.2.3', null],
  ['256.1.1.1', null],
  ['010.1.1.1', null],
  ['1.2.3.4.5', null],
  ['1.2.3.4/24', null],
  ['1.2.3.4:80', null],
  ['exa mple.com', null],
  ['http://exa mple.com/', null],
  ['a'.repeat(2049), null],
  [`http://example.com/${'a'.repeat(2040)}`, null],
  ['file:///etc/passwd', null],
  ['javascript://alert(1)', null],
  ['evil.com/login.php', null],
  ['http:/example.com', null],
  ['http://localhost/', null],
  ['http://example.com:99999/', null],
  ['http://example.com:0/', null],
  ['example.123', null],
  ['x.c', null],
  ['-bad.example.com', null],
  ['a..b.com', null],
  [`${'a'.repeat(64)}.com`, null],
  [`${`${'a'.repeat(60)}.`.repeat(5)}com`, null],
  ['example.com:8080', null],
  ['zero\u200bwidth.com', null],
  ['user@@example.com', null],
  ['.user@example.com', null],
  ['user@localhost', null],
  ['d41d8cd98f00b204e9800998ecf8427', null],
  ['12345', null],
  ['fe80::1%eth0', null],
  ['1::2::3', null],
  ['1:2:3:4:5:6:7:8:9', null],
  ['1:2:3:4:5:6:7::8', null],
  ['2001:db8::/32', null],
  ['::ffff:1.2.3.04', null],
];

test('the table has at least 60 rows', () => {
  assert.ok(ROWS.length >= 60, `only ${ROWS.length} rows`);
});

for (const [input, expected] of ROWS) {
  const label = input.length > 60 ? `${input.slice(0, 40)}… (${input.length} chars)` : JSON.stringify(input);
  test(`normalizeIndicator ${label}`, () => {
    const r = normalizeIndicator(input);
    if (expected === null) {
      assert.deepEqual(r, { ok: false, code: 'ioc.invalid', input });
    } else {
      assert.deepEqual(r, { ok: true, indicator: { type: expected[0], value: expected[1] } });
    }
  });
}

const DEFANGED: [string, string][] = [
  ['http://example.com/', 'hxxp://example[.]com/'],
  ['https://evil.example.com/a.php?x=y.z', 'hxxps://evil[.]example[.]com/a[.]php?x=y[.]z'],
  ['https://a.example/r?u=http://b.example/', 'hxxps://a[.]example/r?u=hxxp://b[.]example/'],
  ['ftp://a.example.org/', 'fxp://a[.]example[.]org/'],
  ['http://user@evil.com/', 'hxxp://user[@]evil[.]com/'],
  ['1.2.3.4', '1.2.3[.]4'],
  ['::ffff:192.0.2.1', '::ffff:192.0.2[.]1'],
  ['2001:db8::1', '2001:db8::1'],
  ['www.example.com', 'www[.]example[.]com'],
  ['example[.]com', 'example[.]com'],
  ['user@example.com', 'user[@]example[.]com'],
  ['first.last@example.com', 'first[.]last[@]example[.]com'],
  ['D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e'],
  ['see http://x.y.z and me@x.y', 'see hxxp://x[.]y[.]z and me[@]x[.]y'],
];

for (const [input, expected] of DEFANGED) {
  test(`defang ${JSON.stringify(input)}`, () => {
    assert.equal(defang(input), expected);
  });
}

test('normalizeIndicators deduplicates in first-seen order and lists the invalid ones', () => {
  const r = normalizeIndicators(['Example.com', '1.2.3.4', 'example[.]com', 'nope', '1.2.3[.]4', 'evil.org']);
  assert.deepEqual(r, {
    indicators: [
      { type: 'domain', value: 'example.com' },
      { type: 'ipv4', value: '1.2.3.4' },
      { type: 'domain', value: 'evil.org' },
    ],
    invalid: ['nope'],
  });
});

test('never throws for non-strings smuggled past the type checker', () => {
  for (const v of [undefined, null, 42, {}, Symbol('x')]) {
    assert.equal(normalizeIndicator(v as unknown as string).ok, false);
    assert.equal(typeof defang(v as unknown as string), 'string');
  }
});

// Strings built from indicator-like pieces, so that the properties below see many valid
// values, defanged and wrapped forms, and the characters the refanger treats specially.
const tricky = fc.string({
  unit: fc.constantFrom('a', 'B', '.', '@', ':', '/', '[', ']', '(', ')', '{', '}', 'd', 'o', 't', 'x', '%', "'", '\\'),
  maxLength: 12,
});
const defangs = (s: string) => s.replace(/\./g, '[.]').replace(/@/g, '(at)');
const indicatorish = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.emailAddress(),
  fc.stringMatching(/^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{40}$|^[0-9a-fA-F]{64}$/),
  fc
    .tuple(fc.constantFrom('http', 'HXXPS', 'ftp', 'hXXp'), fc.domain(), tricky, tricky)
    .map(([s, d, p, q]) => `${s}://${d}/${p}?${q}`),
  fc.tuple(tricky, fc.domain()).map(([l, d]) => `${l}@${d}`),
);
const mutated = fc.tuple(indicatorish, fc.constantFrom('plain', 'defang', 'upper', 'wrap', 'slash')).map(([s, how]) => {
  if (how === 'defang') return defangs(s);
  if (how === 'upper') return s.toUpperCase();
  if (how === 'wrap') return ` <${s}> `;
  if (how === 'slash') return `${s}/`;
  return s;
});
const anything = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  mutated,
  mutated.map((s) => s.replace(/./u, '\u3000')),
);

test('property: never throws and always answers in the documented shape', () => {
  fc.assert(
    fc.property(anything, (s) => {
      const r = normalizeIndicator(s);
      if (r.ok) {
        assert.ok(INDICATOR_TYPES.includes(r.indicator.type));
        assert.ok(r.indicator.value.length > 0 && r.indicator.value.length <= 2048);
      } else {
        assert.deepEqual(r, { ok: false, code: 'ioc.invalid', input: s });
      }
      assert.equal(typeof defang(s), 'string');
    }),
    FC,
  );
});

test('property: normalising a canonical value gives the same value', () => {
  fc.assert(
    fc.property(anything, (s) => {
      const r = normalizeIndicator(s);
      if (!r.ok) return;
      assert.deepEqual(normalizeIndicator(r.indicator.value), r);
    }),
    FC,
  );
});

test('property: defang then normalise gives back the canonical value', () => {
  fc.assert(
    fc.property(anything, (s) => {
      const r = normalizeIndicator(s);
      if (!r.ok) return;
      for (const d of [defang(r.indicator.value), defang(s)]) {
        const back = normalizeIndicator(d);
        assert.deepEqual(back.ok ? back.indicator : d, r.indicator);
      }
    }),
    FC,
  );
});

test('property: defanged text has no live scheme and no bare name.tld', () => {
  fc.assert(
    fc.property(anything, (s) => {
      const d = defang(s);
      assert.doesNotMatch(d, /\b(?:https?|ftp):\/\//i);
      const r = normalizeIndicator(s);
      if (r.ok && ['domain', 'url', 'email'].includes(r.indicator.type)) assert.doesNotMatch(d, /\.[A-Za-z]/);
    }),
    FC,
  );
});

test('property: the generators reach valid indicators of every type', () => {
  const seen = new Set<IndicatorType>();
  fc.assert(
    fc.property(mutated, (s) => {
      const r = normalizeIndicator(s);
      if (r.ok) seen.add(r.indicator.type);
    }),
    FC,
  );
  assert.deepEqual([...seen].sort(), [...INDICATOR_TYPES].sort());
});
