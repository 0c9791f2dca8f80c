/**
 * Replies to a response_url (src/adapters/response-url.ts) against local servers: taken (2xx),
 * refused (the status and the start of the body), no answer in time (maybe delivered), nothing
 * listening (network), a certificate Node does not trust (tls); the body arrives as UTF-8 JSON;
 * consecutive replies to one host reuse one connection.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { postToResponseUrl } from '../../../src/adapters/response-url.ts';
import { ROOT } from '../../../src/app.ts';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
  server: Server = createServer(),
): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server.on('connection', () => connections++);
  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response/R1`,
    connections: () => connections,
  };
}

test('a reply taken: ok; the body is the JSON given, in UTF-8; replies in a row share one connection', async () => {
  const got: { type: string | undefined; body: unknown }[] = [];
  const s = await serve((req, body, res) => {
    got.push({ type: req.headers['content-type'], body: JSON.parse(body) });
    res.end('ok');
  });
  const msg = { response_type: 'ephemeral', text: '受け付けました INC-2026-0001' };
  for (let i = 0; i < 3; i++) assert.deepEqual(await postToResponseUrl(s.url, msg, 2000), { ok: true });
  assert.deepEqual(got, Array(3).fill({ type: 'application/json; charset=utf-8', body: msg }));
  assert.equal(s.connections(), 1, 'one keep-alive connection');
});

test('a reply refused: the status and the start of the body, not delivered', async () => {
  const s = await serve((_req, _body, res) => {
    res.statusCode = 404;
    res.end(`used_url${' '.repeat(200)}x`);
  });
  const r = await postToResponseUrl(s.url, { text: 'x' }, 2000);
  assert.deepEqual(r, { ok: false, reason: 'http_404 used_url', maybeDelivered: false });
});

test('no answer in time: timeout, and it may have been delivered', async () => {
  const s = await serve(() => {}); // never answers
  const started = Date.now();
  const r = await postToResponseUrl(s.url, { text: 'x' }, 300);
  assert.deepEqual(r, { ok: false, reason: 'timeout', maybeDelivered: true });
  assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
});

test('nothing listening, and a certificate Node does not trust: network and tls, not delivered', async () => {
  const probe = await serve(() => {});
  const closed = probe.url;
  const last = servers.pop() as Server;
  last.closeAllConnections();
  await new Promise((r) => last.close(r));
  assert.deepEqual(await postToResponseUrl(closed, { text: 'x' }, 2000), {
    ok: false,
    reason: 'network ECONNREFUSED',
    maybeDelivered: false,
  });
  const tls = await serve(
    (_req, _body, res) => res.end('ok'),
    createTlsServer({
      key: readFileSync(join(ROOT, 'tests/fixtures/tls/untrusted-key.pem')),
      cert: readFileSync(join(ROOT, 'tests/fixtures/tls/untrusted-cert.pem')),
    }),
  );
  const r = await postToResponseUrl(tls.url.replace(/^http:/, 'https:'), { text: 'x' }, 2000);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /^tls [A-Z_]*(CERT|SELF_SIGNED)/);
  assert.equal(r.ok ? null : r.maybeDelivered, false);
});
