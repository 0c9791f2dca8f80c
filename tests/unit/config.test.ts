import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { ROOT } from '../../src/app.ts';
import { ConfigError, deliveryTimeoutMs, loadConfig } from '../../src/config.ts';

test('config: defaults give the console bot on SQLite', () => {
  const c = loadConfig({});
  assert.equal(c.DATABASE_URL, 'file:./data/csirt-poc-bot.db');
  assert.equal(c.PORT, 3000);
  assert.equal(c.BOT_LOCALE, 'ja');
  assert.deepEqual(c.platforms, { slack: false, mattermost: false });
});

test('config: every bad variable is named, one line each, and secrets are not echoed', () => {
  try {
    loadConfig({
      PORT: 'abc',
      BOT_LOCALE: 'fr',
      DATABASE_URL: 'mysql://x',
      SLACK_BOT_TOKEN: 'nope-secret',
      TZ: 'Mars/Olympus',
    });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const names = e.problems.map((p) => p.split(':')[0]);
    assert.deepEqual(names.sort(), ['BOT_LOCALE', 'DATABASE_URL', 'PORT', 'SLACK_BOT_TOKEN', 'TZ'].sort());
    assert.doesNotMatch(e.message, /nope-secret/);
  }
});

test('config: platform variables that need each other', () => {
  assert.throws(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' }), /SLACK_SIGNING_SECRET/);
  assert.throws(() => loadConfig({ MATTERMOST_URL: 'http://127.0.0.1:8065' }), /MATTERMOST_TOKEN/);
  assert.equal(
    loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'abcdefgh12345678' }).platforms.slack,
    true,
  );
});

test('config: .env.example lists every variable', () => {
  const example = readFileSync(`${ROOT}/.env.example`, 'utf8');
  const src = readFileSync(`${ROOT}/src/config.ts`, 'utf8');
  const names = [...src.matchAll(/^ {4}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
  assert.ok(names.length >= 20);
  for (const n of names) assert.match(example, new RegExp(`^${n}=`, 'm'), n);
});

test('a delivery request always ends well before its claim expires', () => {
  assert.equal(deliveryTimeoutMs(loadConfig({})), 10_000);
  for (const ttl of ['5000', '10000', '29999', '120000']) {
    const c = loadConfig({ DELIVERY_CLAIM_TTL_MS: ttl });
    assert.ok(deliveryTimeoutMs(c) * 3 <= c.DELIVERY_CLAIM_TTL_MS, ttl);
  }
});

test('config: TZ is checked without an Intl date formatter for a canonical zone (issue 19: ICU locale data stays resident); aliases still accepted', () => {
  const Real = Intl.DateTimeFormat;
  let built = 0;
  Intl.DateTimeFormat = new Proxy(Real, {
    construct(target, args) {
      built++;
      return new target(...(args as ConstructorParameters<typeof Real>));
    },
  });
  try {
    assert.equal(loadConfig({}).TZ, 'Asia/Tokyo');
    assert.equal(loadConfig({ TZ: 'Europe/Paris' }).TZ, 'Europe/Paris');
    assert.equal(built, 0, 'a date formatter was built to check a canonical zone');
    // names ICU lists only as aliases: the formatter decides, as before
    for (const alias of ['UTC', 'Etc/UTC', 'Japan']) assert.equal(loadConfig({ TZ: alias }).TZ, alias);
    assert.throws(() => loadConfig({ TZ: 'Mars/Olympus' }), /TZ/);
    assert.throws(() => loadConfig({ TZ: 'asia/tokyo ' }), /TZ/);
  } finally {
    Intl.DateTimeFormat = Real;
  }
});
