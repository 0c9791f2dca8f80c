/**
 * The bot's outbound HTTP requests (response_url replies, the Slack Web API client's posts) sent
 * from a worker thread that owns the keep-alive agents. The bot's main thread runs every
 * command, its SQL and its answers; under load it is the bot's bottleneck, and an HTTP request
 * with its answer cost it ~0.17–0.22 ms of CPU per post (node:http's request, socket writes,
 * header parsing, agent bookkeeping), against ~0.03–0.04 ms for the two messages exchanged with
 * the thread (tmp measurement, 3 rounds of 3000 posts, load ~6; the process's total CPU was the
 * same within 5 %).
 *
 * The thread is started when requests overlap (`THREAD_WHEN_OPEN`); a request alone, before
 * that, is sent from the main thread by the same code. The thread is held (`ref`) only while
 * requests are open on it, so an idle bot can still exit. If it dies, its open requests fail with
 * `ERR_HTTP_THREAD_EXITED` (sent or not: unknown) and a later overlap starts a new one.
 *
 * The handler's code is plain CommonJS in a string (the thread's `eval`, the main thread's
 * `Function`): it needs only node:http(s), and so it runs unchanged from the TypeScript sources
 * (tsx, vitest) and from the esbuild bundle, which would not carry a second entry point's file.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** a request for the thread; `body` is sent as UTF-8 with its content-length */
export interface ThreadRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** false: the answer's headers are not sent back (a caller that reads only the status and body) */
  headersBack?: boolean;
}

/** the answer, read whole; `cut`: the body ended early with this error (the status stands) */
export interface ThreadAnswer {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
  cut?: ErrorShape;
}

/** what is kept of a socket error: its code and message (structured clone drops `code`) */
interface ErrorShape {
  code?: string;
  message: string;
}

type Reply = { id: number; error?: ErrorShape } & Partial<ThreadAnswer>;

/**
 * The request handler, as source: `(require, reply) => (message) => void`. The thread runs it
 * with `reply` posting to the main thread; the main thread runs the same code itself for the
 * requests it keeps (see `sendOnThread`), so both hosts answer alike.
 */
const SERVE = `(require, reply) => {
  'use strict';
  const http = require('node:http');
  const https = require('node:https');
  // connections kept open between requests; a free one is closed after 4 s idle
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: 4000 }),
    'https:': new https.Agent({ keepAlive: true, timeout: 4000 }),
  };
  const open = new Map();
  const shape = (e) => ({ code: e && e.code, message: String((e && e.message) || e) });
  return (m) => {
    if (m.cancel !== undefined) {
      const req = open.get(m.cancel);
      open.delete(m.cancel);
      if (req) req.destroy();
      return;
    }
    let settled = false;
    const settle = (answer) => {
      if (settled) return;
      settled = true;
      open.delete(m.id);
      reply(answer);
    };
    try {
      const url = new URL(m.url);
      const payload = m.body === undefined ? undefined : Buffer.from(m.body, 'utf8');
      const headers = payload ? Object.assign({}, m.headers, { 'content-length': String(payload.length) }) : m.headers;
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        { method: m.method, agent: agents[url.protocol], headers },
        (res) => {
          const chunks = [];
          const answer = (cut) =>
            settle({ id: m.id, status: res.statusCode || 0, statusMessage: res.statusMessage || '',
                     headers: m.headersBack === false ? {} : res.headers, body: Buffer.concat(chunks), cut });
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => answer(undefined));
          res.on('error', (e) => answer(shape(e)));
          res.on('aborted', () => answer({ code: 'ECONNRESET', message: 'aborted' }));
        },
      );
      open.set(m.id, req);
      req.on('error', (e) => settle({ id: m.id, error: shape(e) }));
      req.end(payload);
    } catch (e) {
      settle({ id: m.id, error: shape(e) });
    }
  };
}`;

const THREAD_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (${SERVE})(require, (answer) => parentPort.postMessage(answer)));
`;

/**
 * The thread is started when a request is sent while another is still open: requests that
 * overlap are the sign of load, when the main thread's CPU is what limits the bot. Alone, a
 * request is sent from the main thread, whose cost then does not matter; so an idle bot, whose
 * start-up sends only auth.test, has no thread (it costs ~9 MB of RSS as soon as it starts).
 * Once started, the thread takes every request until it dies.
 */
const THREAD_WHEN_OPEN = 1;

let thread: Worker | undefined;
/** the main thread's own handler, made at its first request */
let here: ((m: unknown) => void) | undefined;
let nextId = 0;
const pending = new Map<
  number,
  { resolve: (a: ThreadAnswer) => void; reject: (e: Error) => void; onThread: boolean }
>();
/** requests open on the thread (it is held while there are any) */
let onThreadOpen = 0;

/** The answer's body as a Buffer over the same bytes (no copy: the structured clone made a Uint8Array). */
export function bodyOf(answer: ThreadAnswer): Buffer {
  return Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength);
}

/** an Error as the socket gave it (its code, its message) */
export function socketError(e: ErrorShape): Error & { code?: string } {
  const err = new Error(e.message) as Error & { code?: string };
  if (e.code !== undefined) err.code = e.code;
  return err;
}

function answered(r: Reply): void {
  const p = pending.get(r.id);
  if (!p) return; // cancelled meanwhile
  settled(r.id);
  if (r.error) p.reject(socketError(r.error));
  else p.resolve(r as ThreadAnswer);
}

function start(): Worker {
  const w = new Worker(THREAD_SOURCE, { eval: true, execArgv: [], name: 'http' });
  w.unref();
  w.on('message', answered);
  const gone = (why: string) => {
    if (thread !== w) return;
    thread = undefined;
    onThreadOpen = 0;
    const open = [...pending].filter(([, p]) => p.onThread);
    for (const [id] of open) pending.delete(id);
    for (const [, p] of open) p.reject(socketError({ code: 'ERR_HTTP_THREAD_EXITED', message: why }));
  };
  w.on('error', (e) => gone(`the HTTP thread failed: ${e.message}`));
  w.on('exit', (code) => gone(`the HTTP thread exited (${code})`));
  return w;
}

function hereHandler(): (m: unknown) => void {
  if (!here) {
    // the same source as the thread's (a Function, not eval: it sees no local scope)
    const make = new Function(`return ${SERVE}`)() as (
      req: NodeJS.Require,
      reply: (r: Reply) => void,
    ) => (m: unknown) => void;
    here = make(createRequire(import.meta.url), answered);
  }
  return here;
}

function settled(id: number): void {
  const p = pending.get(id);
  if (!p) return;
  pending.delete(id);
  if (p.onThread && --onThreadOpen === 0) thread?.unref();
}

/**
 * Sends the request, on the thread or (alone, the thread not started) from the main thread: its
 * id (for `cancelOnThread`) and its answer, which rejects with the socket's error (`code`,
 * message) when no answer came.
 */
export function sendOnThread(req: ThreadRequest): { id: number; answer: Promise<ThreadAnswer> } {
  const onThread = thread !== undefined || pending.size >= THREAD_WHEN_OPEN;
  const id = nextId++;
  const answer = new Promise<ThreadAnswer>((resolve, reject) => pending.set(id, { resolve, reject, onThread }));
  if (onThread) {
    const w = thread ?? start();
    thread = w;
    if (onThreadOpen++ === 0) w.ref();
    w.postMessage({ id, ...req });
  } else hereHandler()({ id, ...req });
  return { id, answer };
}

/** Ends an open request (its socket is destroyed); its answer rejects with `reason`. */
export function cancelOnThread(id: number, reason: unknown): void {
  const p = pending.get(id);
  if (!p) return;
  settled(id);
  if (p.onThread) thread?.postMessage({ cancel: id });
  else here?.({ cancel: id });
  p.reject(reason as Error);
}

/** `sendOnThread` with fetch's abort: an aborted `signal` ends the request with its reason. */
export function requestOnThread(req: ThreadRequest, signal?: AbortSignal): Promise<ThreadAnswer> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const { id, answer } = sendOnThread(req);
  if (!signal) return answer;
  const abort = () => cancelOnThread(id, signal.reason);
  signal.addEventListener('abort', abort, { once: true });
  const off = () => signal.removeEventListener('abort', abort);
  answer.then(off, off);
  return answer;
}

/**
 * For tests: the thread, if running (to end it and see what the open requests become); `start`
 * starts it now, as an overlapping request would.
 */
export function httpThreadForTests(startIt = false): Worker | undefined {
  if (startIt && !thread) thread = start();
  return thread;
}
