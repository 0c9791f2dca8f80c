/**
 * The one HTTP server: /healthz, /metrics, and whatever routes the platform adapters and
 * later features mount. Routes get the raw body (signatures are computed over it).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { InFlight } from '../core/in-flight.ts';
import type { Database } from '../db/client.ts';
import { BUILD } from '../version.ts';
import type { Metrics } from './metrics.ts';

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Route = (req: HttpRequest) => Promise<HttpResponse>;

export class HttpServer {
  private readonly exact = new Map<string, Route>();
  private readonly prefixes: [method: string, prefix: string, route: Route][] = [];
  readonly server: Server;
  /** the port it listens on, once listening (a link to the dashboard names it) */
  port: number | null = null;
  private accepting = true;
  /** the metrics listener, when there is one */
  private readonly extra: Server[] = [];

  constructor(
    private readonly o: {
      db: Database;
      metrics: Metrics;
      log: Logger;
      maxBodyBytes: number;
      inFlight?: InFlight;
      /**
       * GET /metrics on this server answers only with `Authorization: Bearer <token>`; without a
       * token it is not served here (404): use `listenMetrics` (METRICS_PORT) instead.
       */
      metricsToken?: string;
      /** more for /healthz (it stays 200: e.g. a platform whose deliveries are stopped) */
      healthDetail?: () => Record<string, unknown>;
    },
  ) {
    this.server = createServer((req, res) => void this.dispatch(req, res, performance.now()));
    this.route('GET', '/healthz', () => this.health());
    this.route('GET', '/metrics', async (req) => {
      const token = o.metricsToken;
      if (!token) return { status: 404, body: 'not found' };
      if (!bearerMatches(req.headers.authorization, token)) {
        o.metrics.authFailures.inc({
          endpoint: 'metrics',
          reason: req.headers.authorization ? 'bad_token' : 'no_token',
        });
        return { status: 401, headers: { 'www-authenticate': 'Bearer realm="metrics"' }, body: 'unauthorized' };
      }
      return this.scrape();
    });
  }

  private async health(): Promise<HttpResponse> {
    const ok = this.accepting && (await this.o.db.ping());
    return {
      status: ok ? 200 : 503,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        ok,
        draining: !this.accepting,
        version: BUILD.version,
        commit: BUILD.commit,
        ...this.o.healthDetail?.(),
      }),
    };
  }

  private async scrape(): Promise<HttpResponse> {
    return {
      status: 200,
      headers: { 'content-type': this.o.metrics.registry.contentType },
      body: await this.o.metrics.registry.metrics(),
    };
  }

  /**
   * A second listener that serves only GET /metrics (no token asked: bind it to an address only
   * the monitoring can reach, METRICS_HOST, default 127.0.0.1) and GET /healthz. Closed with close().
   */
  async listenMetrics(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const answer =
        req.method === 'GET' && path === '/metrics'
          ? this.scrape()
          : req.method === 'GET' && path === '/healthz'
            ? this.health()
            : Promise.resolve({ status: 404, body: 'not found' });
      answer.then(
        (r) => send(res, r),
        (e) => {
          this.o.log.error({ err: e, path }, 'metrics route failed');
          send(res, { status: 500, body: 'internal error' });
        },
      );
    });
    this.extra.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : port);
      });
    });
  }

  route(method: string, path: string, r: Route): void {
    this.exact.set(`${method} ${path}`, r);
  }

  routePrefix(method: string, prefix: string, r: Route): void {
    this.prefixes.push([method, prefix, r]);
  }

  /** Stop taking requests other than health checks (which now answer 503). */
  drain(): void {
    this.accepting = false;
    // idle keep-alive connections stay open (closing them now races with requests already on
    // their way); whatever arrives on them gets 503 with `connection: close`
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const a = this.server.address();
        this.port = typeof a === 'object' && a ? a.port : port;
        resolve(this.port);
      });
    });
  }

  /** Stops listening; requests being answered finish (cut after `graceMs`). */
  close(graceMs = 1000): Promise<void> {
    for (const x of this.extra.splice(0)) {
      x.close();
      x.closeAllConnections?.();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.server.closeAllConnections?.(), graceMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeIdleConnections?.();
    });
  }

  /** `at`: performance.now() at the server's 'request' event (the headers parsed) */
  private async dispatch(req: IncomingMessage, res: ServerResponse, at: number): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const exact = this.exact.get(`${method} ${url.pathname}`);
    const prefixed = exact ? undefined : this.prefixes.find(([m, p]) => m === method && url.pathname.startsWith(p));
    const route = exact ?? prefixed?.[2];
    if (!route) return send(res, { status: 404, body: 'not found' });
    // the route as registered (a prefix, never the path itself: a calendar path holds a token)
    const name = exact ? `${method} ${url.pathname}` : `${method} ${prefixed?.[1]}*`;
    if (!this.accepting && url.pathname !== '/healthz' && url.pathname !== '/metrics') {
      return send(res, { status: 503, headers: { 'retry-after': '1', connection: 'close' }, body: 'shutting down' });
    }
    let body: Buffer;
    try {
      body = await readBody(req, this.o.maxBodyBytes);
    } catch (e) {
      if (!(e instanceof TooLarge)) return; // the client went away
      this.o.log.warn({ path: logPath(url.pathname), max: this.o.maxBodyBytes }, 'request body too large');
      // answer first, then drop the connection: the rest of the body is never read
      res.once('finish', () => req.destroy());
      return send(res, { status: 413, headers: { connection: 'close' }, body: 'request body too large' });
    }
    const started = performance.now();
    this.o.metrics.httpPhase.observe({ route: name, phase: 'to_route' }, (started - at) / 1000);
    try {
      const answer = route({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
      send(res, await (this.o.inFlight ? this.o.inFlight.track(answer) : answer));
    } catch (e) {
      this.o.log.error({ err: e, path: logPath(url.pathname) }, 'http route failed');
      send(res, { status: 500, body: 'internal error' });
    }
    this.o.metrics.httpPhase.observe({ route: name, phase: 'in_route' }, (performance.now() - started) / 1000);
  }
}

/** Constant-time comparison of a Bearer token (a timing side channel would leak it byte by byte). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const a = createHash('sha256')
    .update(m[1] as string)
    .digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function send(res: ServerResponse, r: HttpResponse): void {
  res.writeHead(r.status, { 'cache-control': 'no-store', ...(r.headers ?? {}) });
  res.end(r.body ?? '');
}

/** A path as logged: a calendar feed's path holds its token, which is a secret. */
function logPath(path: string): string {
  return path.startsWith('/calendar/') ? '/calendar/[redacted].ics' : path;
}

class TooLarge extends Error {}

/**
 * The body, up to `max` bytes. Over it (declared or streamed), TooLarge at once: nothing more
 * is buffered, and the caller answers 413 before closing the connection.
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        done = true;
        chunks.length = 0;
        req.off('data', onData);
        req.pause();
        reject(new TooLarge());
      } else chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!done) reject(e);
    });
  });
}
