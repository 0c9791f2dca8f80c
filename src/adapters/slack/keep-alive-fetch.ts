/**
 * The `fetch` given to the Slack Web API clients (their public `fetch` option): the request
 * sent with node:http(s) on the shared keep-alive agents, the answer read whole and handed back
 * as the small response object the client reads (status, headers, text). The global fetch's
 * Request, Headers, web streams and body mixins cost more CPU per post than the post itself
 * (the response_url replies made the same change: src/adapters/response-url.ts).
 *
 * Errors keep fetch's shape: the client's timeout aborts its signal and the call rejects with
 * the signal's reason (a TimeoutError), a network failure with the socket's error; the client
 * wraps either as a request error, which the dispatcher treats as "maybe delivered" (retried
 * after searching the channel for the delivery id). A body fetch alone can send (FormData: file
 * uploads) goes to the global fetch.
 */
import http from 'node:http';
import https from 'node:https';
import type { FetchFunction } from '@slack/web-api';
import { keepAliveAgents } from '../keep-alive.ts';

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

export const keepAliveFetch: FetchFunction = (input, init = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input;
  const body = init.body;
  if ((body !== undefined && typeof body !== 'string') || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return globalThis.fetch(input, init as RequestInit) as unknown as Promise<FetchResponse>;
  const signal = init.signal;
  const protocol: 'http:' | 'https:' = url.protocol;
  return new Promise<FetchResponse>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    const req = (protocol === 'https:' ? https : http).request(
      url,
      {
        method: init.method ?? 'GET',
        agent: keepAliveAgents[protocol],
        headers: { ...init.headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          signal?.removeEventListener('abort', abort);
          resolve(response(url.href, res, Buffer.concat(chunks)));
        });
      },
    );
    function fail(e: Error) {
      signal?.removeEventListener('abort', abort);
      reject(e);
    }
    function abort() {
      req.destroy();
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
    req.on('error', fail);
    req.end(payload);
  });
};

/** The answer as the Web API client reads it. */
function response(url: string, res: http.IncomingMessage, body: Buffer): FetchResponse {
  const status = res.statusCode ?? 0;
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: res.statusMessage ?? '',
    url,
    headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null, entries: () => headers.entries() },
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    json: async () => JSON.parse(body.toString('utf8')),
    text: async () => body.toString('utf8'),
  };
}
