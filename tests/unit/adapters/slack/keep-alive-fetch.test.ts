/**
 * The Slack Web API client's posts on node:http keep-alive (src/adapters/slack/keep-alive-fetch.ts)
 * against local servers, through the client as the dispatcher uses it: an answer read (JSON,
 * headers), consecutive posts on one connection, a 429 still a rate limit, an HTTP error still
 * that status, and a server that never answers ends at the client's timeout as a request error
 * that the dispatcher reads as transient (searched for before posting again), as with fetch.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, test } from 'vitest';
import { postToResponseUrl } from '../../../../src/adapters/response-url.ts';
import { keepAliveFetch } from '../../../../src/adapters/slack/keep-alive-fetch.ts';
import { toPlatformError } from '../../../../src/adapters/slack/seam.ts';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, connections: () => connections };
}

/** the dispatcher's client (src/adapters/slack/index.ts): no retries, 429 thrown, a timeout */
const client = (url: string, timeout = 2000) =>
  new WebClient('xoxb-test', {
    slackApiUrl: url,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout,
    fetch: keepAliveFetch,
  });

test('a post is sent with its form and token, its answer read; consecutive posts reuse one connection', async () => {
  const seen: { path: string; auth: string; body: string }[] = [];
  const s = await serve((req, body, res) => {
    seen.push({ path: req.url ?? '', auth: String(req.headers.authorization), body });
    res.writeHead(200, { 'content-type': 'application/json', 'x-oauth-scopes': 'chat:write' });
    res.end(JSON.stringify({ ok: true, channel: 'C1', ts: `17000000${seen.length}.000100`, text: 'あ' }));
  });
  const c = client(s.url);
  const a = await c.chat.postMessage({ channel: 'C1', text: '報告 1' });
  const b = await c.chat.postMessage({ channel: 'C1', text: '報告 2' });
  assert.equal(a.ts, '170000001.000100');
  assert.equal(b.ts, '170000002.000100');
  assert.deepEqual(a.response_metadata?.scopes, ['chat:write'], 'the headers are read');
  assert.equal(seen[0]?.path, '/api/chat.postMessage');
  assert.equal(seen[0]?.auth, 'Bearer xoxb-test');
  assert.match(seen[1]?.body ?? '', /報告 2|%E5%A0%B1%E5%91%8A%202|%E5%A0%B1%E5%91%8A\+2/);
  assert.equal(s.connections(), 1, 'one keep-alive connection for both posts');
  // sent on the HTTP thread's agent, which the response_url replies use too (the global fetch
  // keeps its own pool): a reply to the same host goes out on the same connection
  assert.deepEqual(await postToResponseUrl(`${s.url}response`, { text: 'x' }, 2000), { ok: true });
  assert.equal(s.connections(), 1, 'the connection is the one the replies use');
});

test('a 429 is still a rate limit with its Retry-After; a 500 still an HTTP error (transient)', async () => {
  let n = 0;
  const s = await serve((_req, _body, res) => {
    n++;
    if (n === 1) {
      res.writeHead(429, { 'retry-after': '7' });
      res.end();
      return;
    }
    res.writeHead(500);
    res.end('oops');
  });
  const c = client(s.url);
  const limited = await c.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e) => e);
  assert.equal(limited.code, ErrorCode.RateLimitedError);
  const e1 = toPlatformError(limited);
  assert.equal(e1.kind, 'rate_limited');
  assert.equal(e1.retryAfterMs, 7000);
  const failed = await c.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e) => e);
  assert.equal(failed.code, ErrorCode.HTTPError);
  assert.equal(toPlatformError(failed).kind, 'transient');
});

test('a server that never answers: the post ends at the client timeout as a request error, transient (maybe delivered)', async () => {
  const s = await serve(() => {}); // reads the request, never answers
  const c = client(s.url, 300);
  const started = Date.now();
  const e = await c.chat.postMessage({ channel: 'C1', text: 'x' }).catch((x) => x);
  const took = Date.now() - started;
  assert.equal(e.code, ErrorCode.RequestError, String(e));
  assert.equal(e.original?.name, 'TimeoutError', 'the abort reason of the client signal, as fetch rejects');
  assert.ok(took >= 250 && took < 5000, `ended at the timeout (${took} ms)`);
  assert.equal(toPlatformError(e).kind, 'transient');
});

test('nothing listening: a request error (network), transient', async () => {
  const s = await serve(() => {});
  const port = new URL(s.url).port;
  const dead = servers.pop() as Server;
  dead.closeAllConnections();
  await new Promise((r) => dead.close(r));
  const e = await client(`http://127.0.0.1:${port}/api/`)
    .chat.postMessage({ channel: 'C1', text: 'x' })
    .catch((x) => x);
  assert.equal(e.code, ErrorCode.RequestError);
  assert.match(String(e.original?.code ?? e.original?.message), /ECONNREFUSED/);
  assert.equal(toPlatformError(e).kind, 'transient');
});
