/**
 * An open-loop, paced load generator (as wrk2): request k is due at t0 + k/rate, whatever became
 * of the requests before it. It goes out on a free keep-alive connection; when none is free the
 * pool opens another (counted), so one slow answer does not hold the next request back.
 *
 * Latency is measured from the request's due time, not from its send: when the server (or this
 * process) stalls, the requests due during the stall are counted with the wait they would have
 * had from a client sending on time. Measured from the send, they would look as fast as the
 * server's service time ("coordinated omission"). The first `warmupSeconds` are measured apart,
 * and the measured part starts once they are answered.
 *
 * Why not autocannon's `overallRate` (autocannon 9.0.0): each connection gets rate/connections
 * requests per second (lib/run.js `distributeNums`), sends them back to back as answers come
 * (lib/httpClient.js `_doRequest`: `reqsMadeThisSecond++ < this.rate`, else `paused`), and is
 * let go again by a 1 s `setInterval` (`rateInterval`). At 200/s over 50 connections that is 200
 * requests at the start of every second with 50 in flight, then silence: a burst, not a rate.
 */
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { percentile, round } from './stats.ts';

export interface PacedOptions {
  port: number;
  host?: string;
  path: string;
  /** requests per second */
  rate: number;
  /** measured seconds, after the warm-up */
  seconds: number;
  warmupSeconds: number;
  /** the next request's body and headers (POST) */
  next(): { body: string; headers: Record<string, string> };
  /** a request not answered within this is an error (default 10 s, as autocannon) */
  timeoutMs?: number;
  /** the most connections the pool may open (default 1024) */
  maxSockets?: number;
  /**
   * called once the warm-up is answered, before the measured part's first request: the bench
   * reads the bot's own figures (its /metrics) there, so that they leave out the warm-up as the
   * percentiles do. The measured part's clock starts when it has finished.
   */
  afterWarmup?: () => unknown;
}

export interface Latencies {
  /** requests due in this part */
  count: number;
  /** answered with 2xx */
  ok: number;
  errors: number;
  /** from the due time to the end of the answer */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** from the send to the end of the answer: what a generator measuring from the send would show */
  p50FromSend: number;
  p90FromSend: number;
  p99FromSend: number;
  /** how late the sends were against their due times (this process's own lag) */
  sendLagP99: number;
  sendLagMax: number;
  /** the mean of the send lags: how much waiting before the send the due-time figures count in all */
  sendLagMean: number;
}

export interface PacedResult {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  /** the measured part (requests due after the warm-up) */
  measured: Latencies;
  warmup: Latencies;
  /** requests sent per second in the measured part, first send to last */
  achievedRate: number;
  /** connections the pool opened in all */
  connectionsOpened: number;
  /** the most requests in flight at once */
  maxInFlight: number;
}

interface Outcome {
  due: number;
  sent: number;
  end: number;
  ok: boolean;
}

const summarise = (all: Outcome[]): Latencies => {
  const ok = all.filter((o) => o.ok);
  const fromDue = ok.map((o) => o.end - o.due);
  const fromSend = ok.map((o) => o.end - o.sent);
  const lag = all.map((o) => o.sent - o.due);
  return {
    count: all.length,
    ok: ok.length,
    errors: all.length - ok.length,
    p50: round(percentile(fromDue, 50)),
    p90: round(percentile(fromDue, 90)),
    p99: round(percentile(fromDue, 99)),
    max: round(Math.max(0, ...fromDue)),
    p50FromSend: round(percentile(fromSend, 50)),
    p90FromSend: round(percentile(fromSend, 90)),
    p99FromSend: round(percentile(fromSend, 99)),
    sendLagP99: round(percentile(lag, 99)),
    sendLagMax: round(Math.max(0, ...lag)),
    sendLagMean: round(lag.length ? lag.reduce((a, b) => a + b, 0) / lag.length : 0),
  };
};

export async function paced(o: PacedOptions): Promise<PacedResult> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 1024, maxFreeSockets: o.maxSockets ?? 1024 });
  const sockets = new WeakSet<Socket>();
  let opened = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const warmN = Math.round(o.warmupSeconds * o.rate);
  const total = warmN + Math.round(o.seconds * o.rate);
  const outcomes: Outcome[] = new Array(total);
  const pending: Promise<void>[] = [];

  const send = (k: number, due: number) => {
    const { body, headers } = o.next();
    const sent = performance.now();
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      new Promise<void>((resolve) => {
        const done = (ok: boolean) => {
          if (outcomes[k]) return;
          outcomes[k] = { due, sent, end: performance.now(), ok };
          inFlight--;
          resolve();
        };
        const req = request(
          {
            agent,
            host: o.host ?? '127.0.0.1',
            port: o.port,
            path: o.path,
            method: 'POST',
            headers: { ...headers, 'content-length': Buffer.byteLength(body) },
            timeout: timeoutMs,
          },
          (res) => {
            res.resume();
            res.on('end', () => done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
            res.on('error', () => done(false));
          },
        );
        req.on('socket', (s) => {
          if (!sockets.has(s)) {
            sockets.add(s);
            opened++;
          }
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => done(false));
        req.end(body);
      }),
    );
  };

  /** Sends requests from..to-1 at the rate from now on, and waits for their answers. */
  const phase = async (from: number, to: number) => {
    const t0 = performance.now() + 5;
    const dueAt = (k: number) => t0 + ((k - from) * 1000) / o.rate;
    let k = from;
    await new Promise<void>((allSent) => {
      const tick = () => {
        const now = performance.now();
        // every request already due goes now, however late this turn of the loop came
        while (k < to && dueAt(k) <= now) {
          send(k, dueAt(k));
          k++;
        }
        if (k < to) setTimeout(tick, Math.max(0, dueAt(k) - performance.now()));
        else allSent();
      };
      setTimeout(tick, Math.max(0, t0 - performance.now()));
    });
    await Promise.all(pending);
  };
  // The warm-up, then (once it is answered) the measured part: a cold process's first second
  // (code not yet optimised, pools opening) can leave a queue of seconds that would otherwise be
  // read as the latency at this rate; it is reported apart.
  await phase(0, warmN);
  await o.afterWarmup?.();
  await phase(warmN, total);
  agent.destroy();

  const measured = outcomes.slice(warmN);
  const first = measured[0]?.sent ?? 0;
  const last = measured.at(-1)?.sent ?? 0;
  return {
    rate: o.rate,
    seconds: o.seconds,
    warmupSeconds: o.warmupSeconds,
    measured: summarise(measured),
    warmup: summarise(outcomes.slice(0, warmN)),
    achievedRate: last > first ? round(((measured.length - 1) * 1000) / (last - first), 1) : 0,
    connectionsOpened: opened,
    maxInFlight,
  };
}
