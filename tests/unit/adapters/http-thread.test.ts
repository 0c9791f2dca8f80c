/**
 * The HTTP thread (src/adapters/http-thread.ts): it starts only when requests overlap (a lone
 * request is sent from the main thread, which answers alike); and when things go wrong around
 * it: the thread dies with requests open (they settle as "maybe delivered", later requests still
 * go out), a request aborted (its socket is closed, the answer rejects with the signal's reason),
 * and a process whose requests are done exits although the thread is still there, while one
 * with a request open does not exit before its answer.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, test, vi } from 'vitest';
import { httpThreadForTests, type ThreadAnswer, type ThreadRequest } from '../../../src/adapters/http-thread.ts';
import { postToResponseUrl } from '../../../src/adapters/response-url.ts';
import { ROOT } from '../../../src/app.ts';
import { tsxEvalArgv } from '../../helpers/tsx-child.ts';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/r`, seen };
}

const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('waited too long');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** the module with its state fresh: no thread, nothing open */
async function fresh() {
  vi.resetModules();
  return await import('../../../src/adapters/http-thread.ts');
}

test('a lone request is sent from the main thread; the thread starts when requests overlap', async () => {
  const m = await fresh();
  const slow = await serve((_req, res) => setTimeout(() => res.end('late'), 200));
  const one = await m.requestOnThread({ url: slow.url, method: 'GET', headers: {} });
  assert.equal(Buffer.from(one.body).toString(), 'late');
  assert.equal(m.httpThreadForTests(), undefined, 'no thread for a request alone');
  const two = [0, 1, 2].map(() => m.requestOnThread({ url: slow.url, method: 'GET', headers: {} }));
  assert.ok(m.httpThreadForTests(), 'the second open request started the thread');
  for (const a of await Promise.all(two)) assert.equal(Buffer.from(a.body).toString(), 'late');
  // once started it stays, and takes a lone request too
  const thread = m.httpThreadForTests();
  await m.requestOnThread({ url: slow.url, method: 'GET', headers: {} });
  assert.equal(m.httpThreadForTests(), thread);
});

test('the main thread and the thread give the same answers and the same errors', async () => {
  const ok = await serve((req, res) => {
    res.setHeader('x-echo', `${req.method} ${req.headers['content-length'] ?? '-'} ${req.headers['x-in'] ?? '-'}`);
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end('日本語 ok');
  });
  const refused = await serve((_req, res) => res.writeHead(404, 'Gone Away').end('used_url'));
  const cut = await serve((_req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('part');
    setTimeout(() => res.destroy(), 20);
  });
  const closed = await serve(() => {});
  const closedUrl = closed.url;
  servers.pop()?.close(); // nothing listens there any more
  await new Promise((r) => setTimeout(r, 20));
  const requests: ThreadRequest[] = [
    { url: ok.url, method: 'POST', headers: { 'x-in': 'v' }, body: 'ボディ' },
    { url: ok.url, method: 'GET', headers: {}, headersBack: false },
    { url: refused.url, method: 'POST', headers: {}, body: '{}' },
    { url: cut.url, method: 'GET', headers: {} },
    { url: closedUrl, method: 'GET', headers: {} },
    { url: 'http://[bad', method: 'GET', headers: {} },
  ];
  const outcome = (a: Promise<ThreadAnswer>) =>
    a.then(
      (r) => {
        const { date: _d, ...headers } = r.headers;
        return {
          status: r.status,
          statusMessage: r.statusMessage,
          headers,
          body: Buffer.from(r.body).toString(),
          cut: r.cut,
        };
      },
      (e: Error & { code?: string }) => ({ error: e.code ?? e.message }),
    );
  const m = await fresh();
  const fromMain = [];
  for (const r of requests) fromMain.push(await outcome(m.requestOnThread(r)));
  assert.equal(m.httpThreadForTests(), undefined, 'all sent from the main thread');
  m.httpThreadForTests(true);
  const fromThread = [];
  for (const r of requests) fromThread.push(await outcome(m.requestOnThread(r)));
  assert.deepEqual(fromThread, fromMain);
  // and they are the answers expected, not two equal failures
  assert.deepEqual(
    fromMain.map((o) => ('error' in o ? o.error : `${o.status} ${o.body} ${o.cut?.code ?? ''}`)),
    ['200 日本語 ok ', '200 日本語 ok ', '404 used_url ', '200 part ECONNRESET', 'ECONNREFUSED', 'ERR_INVALID_URL'],
  );
  assert.equal((fromMain[0] as { headers: Record<string, unknown> }).headers['x-echo'], 'POST 9 v');
  assert.deepEqual((fromMain[0] as { headers: Record<string, unknown> }).headers['set-cookie'], ['a=1', 'b=2']);
  assert.deepEqual((fromMain[1] as { headers: Record<string, unknown> }).headers, {});
});

test('the thread dies with replies open: they settle as maybe delivered, and later replies still go out', {
  timeout: 20_000,
}, async () => {
  httpThreadForTests(true);
  const silent = await serve(() => {}); // never answers
  const open = [
    postToResponseUrl(silent.url, { text: '1' }, 10_000),
    postToResponseUrl(silent.url, { text: '2' }, 10_000),
  ];
  await until(() => silent.seen.length === 2);
  const first = httpThreadForTests();
  assert.ok(first);
  const started = Date.now();
  await first.terminate();
  for (const r of await Promise.all(open))
    assert.deepEqual(r, { ok: false, reason: 'network ERR_HTTP_THREAD_EXITED', maybeDelivered: true });
  assert.ok(Date.now() - started < 5000, 'settled at the death, not at the timeout');
  const ok = await serve((_req, res) => res.end('ok'));
  // alone: from the main thread
  assert.deepEqual(await postToResponseUrl(ok.url, { text: '3' }, 5000), { ok: true });
  assert.equal(httpThreadForTests(), undefined);
  // overlapping: on a new thread
  const two = [postToResponseUrl(ok.url, { text: '4' }, 5000), postToResponseUrl(ok.url, { text: '5' }, 5000)];
  const second = httpThreadForTests();
  assert.ok(second);
  assert.notEqual(second, first, 'a new thread');
  assert.deepEqual(await Promise.all(two), [{ ok: true }, { ok: true }]);
});

test.each(['the main thread', 'the thread'])(
  'an aborted request (%s): its socket is closed and the answer rejects with the reason',
  async (host) => {
    const { requestOnThread, httpThreadForTests } = await fresh();
    if (host === 'the thread') httpThreadForTests(true);
    const silent = await serve(() => {});
    const ac = new AbortController();
    const answer = requestOnThread({ url: silent.url, method: 'POST', headers: {}, body: 'x' }, ac.signal);
    await until(() => silent.seen.length === 1);
    const closed = new Promise((r) => silent.seen[0]?.socket.once('close', r));
    const reason = new Error('enough');
    ac.abort(reason);
    await assert.rejects(answer, (e) => e === reason);
    await closed;
    // an already aborted signal: nothing is sent
    await assert.rejects(
      requestOnThread({ url: silent.url, method: 'GET', headers: {} }, AbortSignal.abort(reason)),
      (e) => e === reason,
    );
    assert.equal(silent.seen.length, 1);
    assert.equal(httpThreadForTests() !== undefined, host === 'the thread');
  },
);

test('a process exits when its requests are done, and not before an open one is answered', async () => {
  const slow = await serve((_req, res) => setTimeout(() => res.end('late'), 700));
  // the child's only work is two overlapping requests (the second on the thread) with no timer
  // of its own: the thread must hold it until the answer, then let it go
  const code = `import { requestOnThread, httpThreadForTests } from ${JSON.stringify(join(ROOT, 'src/adapters/http-thread.ts'))};
const go = () => requestOnThread({ url: ${JSON.stringify(slow.url)}, method: 'GET', headers: {} });
const first = go();
await new Promise((r) => setTimeout(r, 100));
const second = go();
const onThread = httpThreadForTests() !== undefined;
await first;
const a = await second;
console.log(onThread, a.status, Buffer.from(a.body).toString());`;
  const child = spawn(process.execPath, tsxEvalArgv(code), {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exit = await new Promise<number | null>((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not exit (printed: ${out})`));
    }, 30_000);
    child.on('exit', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
  assert.equal(exit, 0);
  assert.equal(out.trim(), 'true 200 late');
}, 40_000);
