/**
 * Posting a reply to a platform's response_url (Slack and Mattermost alike). A response_url can
 * refuse (Slack: 5 uses within 30 minutes, then 404 `used_url` / `expired_url`; Mattermost: the
 * same limits, 400/404), be unreachable (network down, a name that does not resolve, a TLS
 * certificate from a CA Node does not trust — common on closed networks, see
 * `NODE_EXTRA_CA_CERTS` in docs/mattermost.md), or not answer in time. The caller then reaches
 * the person another way; this says which case it was.
 *
 * Sent with node:http(s) on one keep-alive agent per protocol, not with fetch: every command's
 * reply comes here, and fetch's Request, Headers, web streams and AbortSignal were about 5 % of
 * the bot's CPU under the report bench (session 11 profile, this function and what it called).
 */
import http from 'node:http';
import https from 'node:https';
import { keepAliveAgents } from './keep-alive.ts';

export type ResponseUrlResult =
  | { ok: true }
  | {
      ok: false;
      /** for the log: `http_404 used_url`, `timeout`, `network ECONNREFUSED`, `tls SELF_SIGNED_CERT_IN_CHAIN` */
      reason: string;
      /**
       * the request may have reached the platform (no answer in time): a reply meant for the
       * whole channel must not be posted there a second time
       */
      maybeDelivered: boolean;
    };

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

/** the connections kept open between replies (a free one is closed after 4 s idle) */
const agents = keepAliveAgents;

export function postToResponseUrl(url: string, body: unknown, timeoutMs: number): Promise<ResponseUrlResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, reason: 'network invalid URL', maybeDelivered: false });
  }
  const protocol = target.protocol;
  if (protocol !== 'http:' && protocol !== 'https:')
    return Promise.resolve({ ok: false, reason: `network unsupported protocol ${protocol}`, maybeDelivered: false });
  const payload = JSON.stringify(body);
  return new Promise<ResponseUrlResult>((resolve) => {
    let settled = false;
    const done = (r: ResponseUrlResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = (protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        agent: agents[protocol],
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 80) text += chunk;
        });
        // the answer as far as it came (a body cut short does not undo a 2xx)
        const end = () =>
          done(
            status >= 200 && status < 300
              ? { ok: true }
              : { ok: false, reason: `http_${status} ${text.slice(0, 80)}`.trim(), maybeDelivered: false },
          );
        res.on('end', end);
        res.on('error', end);
        res.on('aborted', end);
      },
    );
    // no answer in time: it may have reached the platform
    const timer = setTimeout(() => {
      done({ ok: false, reason: 'timeout', maybeDelivered: true });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e: Error & { code?: string }) => {
      const code = e.code ?? e.message;
      done({ ok: false, reason: `${TLS_CODES.test(code) ? 'tls' : 'network'} ${code}`, maybeDelivered: false });
    });
    req.end(payload);
  });
}
