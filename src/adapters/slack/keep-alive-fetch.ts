/**
 * The `fetch` given to the Slack Web API clients (their public `fetch` option): the request sent
 * from the HTTP thread (src/adapters/http-thread.ts) on its keep-alive agents, the answer read
 * whole and handed back as the small response object the client reads (status, headers, text).
 * The global fetch's Request, Headers, web streams and body mixins cost more CPU per post than
 * the post itself, and the request's own CPU (node:http) is then off the bot's main thread, as
 * for the response_url replies (src/adapters/response-url.ts).
 *
 * Errors keep fetch's shape: the client's timeout aborts its signal and the call rejects with
 * the signal's reason (a TimeoutError), a network failure with the socket's error (its code and
 * message); the client wraps either as a request error, which the dispatcher treats as "maybe
 * delivered" (retried after searching the channel for the delivery id). A body fetch alone can
 * send (FormData: file uploads) goes to the global fetch.
 */
import type { FetchFunction } from '@slack/web-api';
import { bodyOf, requestOnThread, socketError, type ThreadAnswer } from '../http-thread.ts';

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

export const keepAliveFetch: FetchFunction = (input, init = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input;
  const body = init.body;
  if ((body !== undefined && typeof body !== 'string') || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return globalThis.fetch(input, init as RequestInit) as unknown as Promise<FetchResponse>;
  return requestOnThread(
    {
      url: url.href,
      method: init.method ?? 'GET',
      headers: { ...init.headers },
      ...(body === undefined ? {} : { body }),
    },
    init.signal ?? undefined,
  ).then((answer) => {
    // the body broke off after the status: an error, as fetch's body read would give
    if (answer.cut) throw socketError(answer.cut);
    return response(url.href, answer);
  });
};

/** The answer as the Web API client reads it. */
function response(url: string, answer: ThreadAnswer): FetchResponse {
  const status = answer.status;
  const body = bodyOf(answer);
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(answer.headers))
    if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: answer.statusMessage,
    url,
    headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null, entries: () => headers.entries() },
    arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    json: async () => JSON.parse(body.toString('utf8')),
    text: async () => body.toString('utf8'),
  };
}
