/**
 * Where an acknowledgement's time goes, as /metrics shows it (src/http/server.ts, metrics.ts):
 * csirt_http_request_phase_seconds (to_route, in_route), nodejs_eventloop_stall_seconds and
 * nodejs_gc_duration_seconds. The loop is blocked on purpose and the histograms must move.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import pino from 'pino';
import { afterEach, test } from 'vitest';
import type { Database } from '../../../src/db/client.ts';
import { createMetrics, type Metrics } from '../../../src/http/metrics.ts';
import { HttpServer } from '../../../src/http/server.ts';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // a synchronous stretch: nothing else runs on this thread
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: HttpServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(metrics: Metrics, route: () => Promise<void>): Promise<number> {
  server = new HttpServer({ db: {} as Database, metrics, log: pino({ level: 'silent' }), maxBodyBytes: 1000 });
  server.route('POST', '/x', async () => {
    await route();
    return { status: 200, body: 'ok' };
  });
  server.routePrefix('GET', '/calendar/', async () => ({ status: 200 }));
  return server.listen(0, '127.0.0.1');
}

/** The count of a histogram's series at bucket `le` (cumulative, as rendered). */
async function bucket(m: Metrics, name: string, labels: string, le: string): Promise<number> {
  const text = await m.registry.metrics();
  const sep = labels ? `${labels},` : '';
  const line = text.split('\n').find((l) => l.startsWith(`${name}_bucket{${sep}le="${le}"} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** POST /x; `sent` runs right after the whole request is written on a connected socket. */
function post(port: number, path = '/x', sent?: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path, method: path === '/x' ? 'POST' : 'GET', agent: false });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('socket', (s: Socket) => {
      const go = () => {
        req.end(path === '/x' ? 'a=1' : undefined);
        sent?.();
      };
      if (s.connecting) s.once('connect', go);
      else go();
    });
  });
}

test('a route that holds the loop shows in in_route and as a stall; to_route stays short', async () => {
  const m = createMetrics();
  const port = await serve(m, async () => {
    await sleep(5);
    busy(150);
  });
  const over = async () =>
    (await bucket(m, 'nodejs_eventloop_stall_seconds', '', '+Inf')) -
    (await bucket(m, 'nodejs_eventloop_stall_seconds', '', '0.1'));
  const before = await over();
  assert.equal(await post(port), 200);
  // margins of 50–100 ms: a loaded machine may pause this process for a while anywhere
  const route = 'route="POST /x"';
  assert.equal(await bucket(m, 'csirt_http_request_phase_seconds', `${route},phase="in_route"`, '0.1'), 0);
  assert.equal(await bucket(m, 'csirt_http_request_phase_seconds', `${route},phase="in_route"`, '+Inf'), 1);
  assert.equal(await bucket(m, 'csirt_http_request_phase_seconds', `${route},phase="to_route"`, '0.05'), 1);
  await sleep(30); // the sampler's timer fires after the stretch
  assert.ok((await over()) - before >= 1, 'a stall over 100 ms counted');
});

test('a request that arrives while the loop is held: unseen by the phases, seen as a stall', async () => {
  const m = createMetrics();
  const port = await serve(m, async () => {});
  await sleep(30);
  const over = async () =>
    (await bucket(m, 'nodejs_eventloop_stall_seconds', '', '+Inf')) -
    (await bucket(m, 'nodejs_eventloop_stall_seconds', '', '0.1'));
  const before = await over();
  // the request is in the server's socket before the stretch starts; it is read after it
  assert.equal(await post(port, '/x', () => busy(150)), 200);
  const route = 'route="POST /x"';
  assert.equal(await bucket(m, 'csirt_http_request_phase_seconds', `${route},phase="to_route"`, '0.05'), 1);
  assert.equal(await bucket(m, 'csirt_http_request_phase_seconds', `${route},phase="in_route"`, '0.05'), 1);
  await sleep(30);
  assert.ok((await over()) - before >= 1, 'a stall over 100 ms counted');
});

test('a prefix route is named by its prefix, never by the path (a calendar path holds a token)', async () => {
  const m = createMetrics();
  const port = await serve(m, async () => {});
  assert.equal(await post(port, '/calendar/secret-token.ics'), 200);
  const text = await m.registry.metrics();
  assert.match(text, /csirt_http_request_phase_seconds_count\{route="GET \/calendar\/\*",phase="in_route"\} 1/);
  assert.doesNotMatch(text, /secret-token/);
});

test('garbage collection pauses are counted by kind', async () => {
  const m = createMetrics();
  const count = async () => {
    const text = await m.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('nodejs_gc_duration_seconds_count{kind="minor"} '));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  const before = await count();
  let keep: unknown[] = [];
  for (let i = 0; i < 200_000; i++) {
    keep.push({ i, s: `x${i}` });
    if (keep.length > 1000) keep = [];
  }
  await sleep(20); // the observer's entries arrive in a later task
  assert.ok((await count()) > before, 'young-generation collections seen');
});
