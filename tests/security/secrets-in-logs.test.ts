/**
 * Secrets and request bodies never reach the logs: the real bot (`npm start`'s entry) in Slack
 * mode at LOG_LEVEL=trace, talking to the fake Slack, runs a few commands — successes, a
 * refused signature, a replay, a tampered button, a failing Slack API call, good and bad
 * calendar tokens — and its whole stdout+stderr is searched for the signing secret, the bot
 * token, the action secret, calendar tokens and a marker written inside a report's summary.
 * (Mattermost's tokens: add a Mattermost-mode run here when its adapter lands on main.)
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { signAction } from '../../src/core/action-token.ts';
import {
  blockActionsPayload,
  interactionBody,
  type SlackSignatureHeaders,
  signSlackRequest,
  slashCommandBody,
} from '../fakes/slack-requests.ts';
import { type FakeSlack, startFakeSlack } from '../fakes/slack-server.ts';
import { freshSqliteUrl } from '../helpers/console.ts';
import { tsxChild } from '../helpers/tsx-child.ts';

const SIGNING_SECRET = 'sig-secret-QWxhZGRpbjpvcGVuIHNlc2FtZQ';
const ACTION_SECRET = 'act-secret-Zm9vYmFyYmF6cXV4cXV1eA';
const MARKER = 'BODY-MARKER-7f3a9c1e';
const ADMIN = 'U0ADMIN';
const POC = 'U0MAFFPOC';
const NISC_CHANNEL = 'C0NISC';

let fake: FakeSlack | undefined;
let child: ChildProcess | undefined;
afterAll(async () => {
  child?.kill('SIGKILL');
  await fake?.close();
});

test('secrets and request bodies never appear in the logs (Slack mode, LOG_LEVEL=trace)', async () => {
  fake = await startFakeSlack({
    users: { [ADMIN]: { name: 'admin', locale: 'en-US' }, [POC]: { name: 'poc', locale: 'en-US' } },
    channels: { [NISC_CHANNEL]: { name: 'nisc-csirt' } },
    unknownChannels: 'not_found',
  });
  const f = fake;
  let out = '';
  const proc = tsxChild('src/main.ts', [], {
    cwd: mkdtempSync(join(tmpdir(), 'csirt-logs-')),
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'trace',
      DATABASE_URL: freshSqliteUrl(),
      SLACK_BOT_TOKEN: f.botToken,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: f.apiUrl,
      ACTION_SECRET,
      BOT_ADMINS: `slack:${ADMIN}`,
      PUBLIC_URL: 'https://bot.example',
    },
  });
  child = proc;
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => proc.on('close', () => r()));
  const until = async (cond: () => boolean, what: string, ms = 60_000) => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`waiting for ${what}\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until(() => /"msg":"csirt-poc-bot started"/.test(out), 'start');
  const port = Number(/"port":(\d+)[^\n]*csirt-poc-bot started/.exec(out)?.[1]);
  const url = `http://127.0.0.1:${port}`;
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const post = (body: string, headers: Record<string, string> | SlackSignatureHeaders) =>
    fetch(`${url}/slack/events`, { method: 'POST', body, headers: { ...form, ...headers } });
  const command = async (user: string, text: string) => {
    const responseUrl = f.responseUrl();
    const body = slashCommandBody({ user_id: user, text, response_url: responseUrl, trigger_id: f.newTriggerId() });
    const res = await post(body, signSlackRequest(SIGNING_SECRET, body));
    assert.equal(res.status, 200, text);
    await until(() => f.responses(responseUrl).length > 0, text);
    return { text: JSON.stringify(f.responses(responseUrl)[0]?.body), body };
  };

  await command(ADMIN, `poc add slack:${POC} org=maff role=poc`);
  await command(ADMIN, `org set nisc channel=<#${NISC_CHANNEL}|nisc-csirt>`);
  const report = await command(POC, `report category=malware summary="${MARKER} phishing" ioc=203.0.113.9`);
  assert.match(report.text, /INC-\d{4}-\d{4}/);
  await until(() => f.posts(NISC_CHANNEL).length > 0, 'the post to NISC');
  // a failing Slack call on the delivery path (the error is logged)
  f.failNext('chat.postMessage', { kind: 'http', status: 500, body: 'oops' }, 1);
  await command(POC, `report category=phishing summary="${MARKER} second"`);
  // a refused signature and a replay, both carrying the marker
  const bad = slashCommandBody({ user_id: POC, text: `report category=malware summary="${MARKER} forged"` });
  assert.equal((await post(bad, { ...signSlackRequest('wrong-secret-0000000000', bad) })).status, 401);
  // signed again a second later (as a retry would be): a new signature, so not a replay but a retry
  const replayHeaders = signSlackRequest(SIGNING_SECRET, report.body, Math.floor(Date.now() / 1000) + 1);
  assert.equal((await post(report.body, replayHeaders)).status, 200);
  assert.equal((await post(report.body, replayHeaders)).status, 401);
  // calendar: the feed URL from meeting list, then a wrong token
  const list = await command(POC, 'meeting list');
  const token = /\/calendar\/([A-Za-z0-9_-]+)\.ics/.exec(list.text)?.[1];
  assert.ok(token, list.text);
  assert.equal((await fetch(`${url}/calendar/${token}.ics`)).status, 200);
  assert.equal((await fetch(`${url}/calendar/${token.slice(0, -2)}zz.ics`)).status, 404);
  // a tampered button and a genuine one
  const value = signAction(ACTION_SECRET, 'help', new Date());
  for (const v of [`${value}x`, value]) {
    const responseUrl = f.responseUrl();
    const body = interactionBody(
      blockActionsPayload({
        actionId: 'csirt:action:0',
        value: v,
        user: { id: ADMIN },
        responseUrl,
        triggerId: f.newTriggerId(),
      }),
    );
    assert.equal((await post(body, signSlackRequest(SIGNING_SECRET, body))).status, 200);
    await until(() => f.responses(responseUrl).length > 0, 'button answer');
  }
  proc.kill('SIGTERM');
  await exited;

  assert.match(out, /"level":20/, 'debug lines were written (nothing is filtered by level)');
  assert.match(out, /slack request refused/, 'the refusals were logged');
  const leaks: [string, string][] = [
    ['SLACK_SIGNING_SECRET', SIGNING_SECRET],
    ['SLACK_BOT_TOKEN', f.botToken],
    ['ACTION_SECRET', ACTION_SECRET],
    ['a calendar token', token],
    ['a request body (marker in a report summary)', MARKER],
    ['a signed button value', value.split('.')[1] as string],
  ];
  for (const [what, secret] of leaks) {
    const i = out.indexOf(secret);
    assert.equal(i, -1, `${what} appears in the logs: …${out.slice(Math.max(0, i - 300), i + 100)}…`);
  }
  console.log(`secrets-in-logs: ${out.split('\n').length} log lines at trace level, ${leaks.length} secrets absent`);
});
