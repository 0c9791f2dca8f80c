/**
 * Posting a reply to a platform's response_url (Slack and Mattermost alike). A response_url can
 * refuse (Slack: 5 uses within 30 minutes, then 404 `used_url` / `expired_url`; Mattermost: the
 * same limits, 400/404), be unreachable (network down, a name that does not resolve, a TLS
 * certificate from a CA Node does not trust — common on closed networks, see
 * `NODE_EXTRA_CA_CERTS` in docs/mattermost.md), or not answer in time. The caller then reaches
 * the person another way; this says which case it was.
 *
 * Sent from the HTTP thread (src/adapters/http-thread.ts), on its keep-alive agents: every
 * command's reply comes here, and the request's CPU is then off the bot's main thread. (Before
 * that, node:http on the main thread; before that, fetch, whose Request, Headers, web streams and
 * AbortSignal were about 5 % of the bot's CPU under the report bench, session 11.)
 */
import { bodyOf, cancelOnThread, sendOnThread } from './http-thread.ts';

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

/** the timer's reason for aborting the request */
const TIMED_OUT = Symbol('timeout');

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
  const { id, answer } = sendOnThread({
    url: target.href,
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
    headersBack: false,
  });
  const timer = setTimeout(() => cancelOnThread(id, TIMED_OUT), timeoutMs);
  return answer.then(
    (answer): ResponseUrlResult => {
      clearTimeout(timer);
      // the answer as far as it came (a body cut short does not undo a 2xx)
      if (answer.status >= 200 && answer.status < 300) return { ok: true };
      const text = bodyOf(answer).toString('utf8');
      return { ok: false, reason: `http_${answer.status} ${text.slice(0, 80)}`.trim(), maybeDelivered: false };
    },
    (e: unknown): ResponseUrlResult => {
      clearTimeout(timer);
      // no answer in time: it may have reached the platform
      if (e === TIMED_OUT) return { ok: false, reason: 'timeout', maybeDelivered: true };
      const code = (e as { code?: string }).code ?? (e as Error).message;
      // the thread died with the request open: sent or not, nobody knows
      if (code === 'ERR_HTTP_THREAD_EXITED') return { ok: false, reason: `network ${code}`, maybeDelivered: true };
      return { ok: false, reason: `${TLS_CODES.test(code) ? 'tls' : 'network'} ${code}`, maybeDelivered: false };
    },
  );
}
