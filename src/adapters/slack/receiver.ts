/**
 * `POST /slack/events` on the app's one HTTP server, as a bolt Receiver: the route verifies
 * the request, then feeds bolt's App.processEvent; bolt's ack() answers the HTTP request, and
 * listeners keep working after it (ack first, ARCHITECTURE.md rule 11).
 *
 * Checks, in order, each failure a 401 logged without the body and counted in
 * metrics.authFailures: both headers present; the timestamp a number within 5 minutes of
 * now either way (bolt accepts future ones); the v0 signature over the raw bytes (bolt's
 * verifySlackRequest); the signature not seen before (kept in the database until it could
 * no longer pass the timestamp check, so every process agrees).
 */
import type { App as BoltApp, Receiver } from '@slack/bolt';
import { verifySlackRequest } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.ts';
import type { InFlight } from '../../core/in-flight.ts';
import { DatabaseUnavailable } from '../../db/client.ts';
import type { Metrics } from '../../http/metrics.ts';
import type { HttpRequest, HttpResponse } from '../../http/server.ts';
import { type Locale, t } from '../../i18n/index.ts';
import type { CommandJournal, Held } from '../../inbox/journal.ts';
import type { SeenRequests } from '../../services/seen-requests.ts';
import { HELD_CONTEXT_KEY, journalPayload, KEEP_MS, requestKey, SEEN_CONTEXT_KEY } from './dedupe.ts';

export const SLACK_EVENTS_PATH = '/slack/events';
const MAX_SKEW_S = 300;
/** answer Slack before its 3 s deadline even when a listener forgets to ack */
const ACK_DEADLINE_MS = 2500;

export interface ReceiverDeps {
  signingSecret: string;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  seen: SeenRequests;
  /** holds a new command until its work commits (with the seen keys, before the ack) */
  journal: CommandJournal;
  /** the listener's work after the ack (command, reply), for a graceful shutdown to wait on */
  inFlight?: InFlight;
  /** the language of the "please try again" answer (nobody's own language can be looked up then) */
  locale?: Locale;
}

export class HttpRouteReceiver implements Receiver {
  private bolt: BoltApp | undefined;

  constructor(private readonly d: ReceiverDeps) {}

  init(app: BoltApp): void {
    this.bolt = app;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  /** The route handler for POST /slack/events. */
  readonly route = async (req: HttpRequest): Promise<HttpResponse> => {
    const raw = req.body.toString('utf8');
    const body = parseBody(req, raw);
    let verdict: Awaited<ReturnType<HttpRouteReceiver['verify']>>;
    try {
      verdict = await this.verify(req, raw, body);
    } catch (e) {
      // the request could not be recorded (the database is away or locked): nothing was run
      // or kept, so the person is told to try again instead of seeing it acknowledged
      if (!(e instanceof DatabaseUnavailable)) throw e;
      this.d.log.warn({ err: e, path: req.path }, 'slack request not recorded (database unavailable); refused');
      const text = t(this.d.locale ?? 'ja', 'db.try_again');
      if (typeof body?.command === 'string')
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', text }),
        };
      return { status: 503, headers: { 'retry-after': '5' }, body: text };
    }
    const { refused, held } = verdict;
    if (refused && refused !== 'seen') {
      if (isSslCheck(req, raw)) return { status: 200 };
      this.d.metrics.authFailures.inc({ endpoint: 'slack', reason: refused });
      this.d.log.warn({ reason: refused, path: req.path, bytes: req.body.length }, 'slack request refused');
      return { status: 401, body: 'unauthorized' };
    }
    if (!body) return { status: 400, body: 'bad request' };
    if (body.type === 'url_verification' && typeof body.challenge === 'string') {
      return { status: 200, headers: { 'content-type': 'text/plain' }, body: body.challenge };
    }
    if (body.ssl_check === '1') return { status: 200 };
    const bolt = this.bolt;
    if (!bolt) return { status: 503, body: 'not ready' };
    return new Promise<HttpResponse>((resolve) => {
      let answered = false;
      const answer = (r: HttpResponse) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.d.log.warn('slack listener did not ack in time; answered empty');
        answer({ status: 200 });
      }, ACK_DEADLINE_MS);
      const ack = async (response?: unknown): Promise<void> => {
        if (response === undefined || response === '') answer({ status: 200 });
        else if (typeof response === 'string')
          answer({ status: 200, headers: { 'content-type': 'text/plain' }, body: response });
        else answer({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(response) });
      };
      const retryNum = header(req, 'x-slack-retry-num');
      const retryReason = header(req, 'x-slack-retry-reason');
      const work = bolt.processEvent({
        body,
        ack,
        customProperties: { [SEEN_CONTEXT_KEY]: refused === 'seen' ? 'seen' : 'new', [HELD_CONTEXT_KEY]: held },
        ...(retryNum !== undefined && /^\d+$/.test(retryNum) ? { retryNum: Number(retryNum) } : {}),
        ...(retryReason !== undefined ? { retryReason } : {}),
      });
      (this.d.inFlight ? this.d.inFlight.track(work) : work).then(
        () => answer({ status: 200 }),
        (e: unknown) => {
          this.d.log.error({ err: e }, 'slack event processing failed');
          answer({ status: 500, body: 'internal error' });
        },
      );
    });
  };

  /**
   * `refused` null when the request is authentic and new; 'seen' when authentic but its
   * request key (dedupe.ts) was seen before (a retry: acked, not run); else the reason it is
   * refused. `held`: the journal entry of a new command.
   */
  private async verify(
    req: HttpRequest,
    raw: string,
    body: Record<string, unknown> | null,
  ): Promise<{ refused: string | null; held?: Held | null }> {
    const refuse = (refused: string) => ({ refused });
    const signature = header(req, 'x-slack-signature');
    const ts = header(req, 'x-slack-request-timestamp');
    if (!signature || !ts) return refuse('missing_headers');
    if (!/^\d{1,12}$/.test(ts)) return refuse('bad_timestamp');
    const now = this.d.clock.now().getTime();
    const tsSec = Number(ts);
    if (Math.abs(now / 1000 - tsSec) > MAX_SKEW_S) return refuse('stale_or_future_timestamp');
    try {
      verifySlackRequest({
        signingSecret: this.d.signingSecret,
        body: raw,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': tsSec },
        nowMilliseconds: now,
      });
    } catch {
      return refuse('bad_signature');
    }
    // the signature is remembered until the timestamp check alone would refuse it, plus a minute
    const sigKey = `slack:sig:${signature}`;
    const entries = [{ key: sigKey, expiresAt: new Date((tsSec + MAX_SKEW_S + 60) * 1000) }];
    const reqKey = body ? requestKey(body) : null;
    if (reqKey) entries.push({ key: reqKey, expiresAt: new Date(now + KEEP_MS) });
    const payload = body && reqKey ? journalPayload(body) : null;
    const { fresh, held } = await this.d.journal.admit(
      this.d.seen,
      entries,
      payload && reqKey ? { key: reqKey, platform: 'slack', payload } : null,
    );
    if (!fresh.has(sigKey)) return refuse('replayed_signature');
    return { refused: reqKey && !fresh.has(reqKey) ? 'seen' : null, held };
  }
}

function header(req: HttpRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Slack's unsigned SSL check: answered 200 and nothing else happens. */
function isSslCheck(req: HttpRequest, raw: string): boolean {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return false;
  const f = new URLSearchParams(raw);
  return f.get('ssl_check') === '1' && [...f.keys()].every((k) => k === 'ssl_check' || k === 'token');
}

/** Form bodies (commands; interactions carry one `payload` field of JSON) or JSON (events). */
function parseBody(req: HttpRequest, raw: string): Record<string, unknown> | null {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  try {
    if (type === 'application/json') {
      const v: unknown = JSON.parse(raw);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    }
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) {
      const v: unknown = JSON.parse(payload);
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
    }
    return Object.fromEntries(form);
  } catch {
    return null;
  }
}
