/**
 * Posting a reply to a platform's response_url (Slack and Mattermost alike). A response_url can
 * refuse (Slack: 5 uses within 30 minutes, then 404 `used_url` / `expired_url`; Mattermost: the
 * same limits, 400/404), be unreachable (network down, a name that does not resolve, a TLS
 * certificate from a CA Node does not trust — common on closed networks, see
 * `NODE_EXTRA_CA_CERTS` in docs/mattermost.md), or not answer in time. The caller then reaches
 * the person another way; this says which case it was.
 */

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

export async function postToResponseUrl(url: string, body: unknown, timeoutMs: number): Promise<ResponseUrlResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError') return { ok: false, reason: 'timeout', maybeDelivered: true };
    const code = err.cause?.code ?? err.cause?.message ?? err.message;
    return { ok: false, reason: `${TLS_CODES.test(code) ? 'tls' : 'network'} ${code}`, maybeDelivered: false };
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return { ok: true };
  return { ok: false, reason: `http_${res.status} ${text.slice(0, 80)}`.trim(), maybeDelivered: false };
}
