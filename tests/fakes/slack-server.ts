/**
 * A protocol-faithful fake of the Slack Web API for tests, to be used with the real `@slack/web-api`
 * WebClient: `new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl })`.
 *
 * Every call is checked against the OpenAPI spec in `tests/fixtures/specs/slack/` (see slack-spec.ts); a call
 * that fails the check lands in `fake.violations` and is answered `invalid_arguments` (the platform
 * itself ignores unknown arguments; the fake is stricter on purpose). Tests assert `violations` is empty.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RandomFaults } from './random.ts';
import { chatHandlers } from './slack-chat.ts';
import { conversationHandlers } from './slack-conversations.ts';
import type { DelayMode, FakeCall, FakeFault, FakeSlack, FakeSlackOptions, FakeViolation } from './slack-fake-types.ts';
import { APP_TOKEN_METHODS, type Handler } from './slack-methods.ts';
import { RateLimiter } from './slack-rate-limit.ts';
import { ResponseUrls } from './slack-response-url.ts';
import { checkCall } from './slack-spec.ts';
import { FAKE_SLACK, type FakeIdentity, type FakePost, FakeWorkspace } from './slack-state.ts';
import { viewHandlers } from './slack-views.ts';

export type * from './slack-fake-types.ts';
export type * from './slack-state.ts';

/** Every method the fake implements; a spec method missing here is recorded as a violation. */
const handlers: Record<string, Handler> = { ...chatHandlers, ...conversationHandlers, ...viewHandlers };

async function readArgs(req: IncomingMessage, url: URL): Promise<{ args: Record<string, unknown>; json: boolean }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (raw.length === 0) return { args, json: false };
  if (type === 'application/json') {
    const body: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('invalid_json');
    return { args: { ...args, ...(body as Record<string, unknown>) }, json: true };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { args: { ...args, ...Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) }, json: false };
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(raw, {
      headers: { 'content-type': String(req.headers['content-type']) },
    }).formData();
    form.forEach((v, k) => {
      args[k] = typeof v === 'string' ? v : '[binary]';
    });
    return { args, json: false };
  }
  throw new Error('invalid_form_data');
}

/** Starts a fake Slack Web API on 127.0.0.1 (random port). */
export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const identity: FakeIdentity = { ...FAKE_SLACK, ...opts.identity };
  const nowMs = () => (opts.clock ? opts.clock.now().getTime() : Date.now());
  const ws = new FakeWorkspace(identity, nowMs);
  if (opts.triggerTtlMs !== undefined) ws.triggerTtlMs = opts.triggerTtlMs;
  for (const [id, cfg] of Object.entries(opts.channels ?? {})) ws.setChannel(id, cfg);
  for (const [id, cfg] of Object.entries(opts.users ?? {})) ws.setUser(id, cfg);
  const limiter = new RateLimiter(opts.rateLimits);
  const randomLimits = new RandomFaults();
  const faults = new Map<string, FakeFault[]>();
  const delays = new Map<string, { ms: number; mode: DelayMode }>();
  for (const [m, ms] of Object.entries(opts.delays ?? {})) delays.set(m, { ms, mode: 'after' });
  const timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  const calls: FakeCall[] = [];
  const violations: FakeViolation[] = [];
  const responseUrls = new ResponseUrls(nowMs);
  let url = '';
  /** an outage: every Web API call answers 503 */
  let down = false;
  /** the bot token revoked: calls with it answer `token_revoked` */
  let revoked = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        timers.delete(entry);
        resolve();
      };
      const entry = { timer: setTimeout(done, ms), done };
      timers.add(entry);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqUrl = new URL(req.url ?? '/', 'http://127.0.0.1');
    const hook = /^\/response\/([A-Za-z0-9]+)$/.exec(reqUrl.pathname);
    if (hook && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const r = responseUrls.receive(
        hook[1]!,
        String(req.headers['content-type'] ?? ''),
        Buffer.concat(chunks).toString('utf8'),
      );
      for (const detail of r.issues) violations.push({ method: 'response_url', kind: r.body, detail, args: {} });
      res.writeHead(r.status, { 'content-type': 'text/plain' }).end(r.body);
      return;
    }
    const match = /^\/api\/([A-Za-z0-9_.]+)$/.exec(reqUrl.pathname);
    if (!match || (req.method !== 'POST' && req.method !== 'GET')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const method = match[1]!;
    const call: FakeCall = { method, args: {}, at: nowMs(), auth: 'missing', status: 200, ok: false };
    calls.push(call);
    if (down) {
      call.status = 503;
      res.writeHead(503, { 'content-type': 'text/html' }).end('<html><body>503 Service Unavailable</body></html>');
      return;
    }
    const send = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
      call.status = status;
      call.ok = body.ok === true;
      if (typeof body.error === 'string') call.error = body.error;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const violate = (kind: string, detail: string) => violations.push({ method, kind, detail, args: call.args });

    let parsed: { args: Record<string, unknown>; json: boolean };
    try {
      parsed = await readArgs(req, reqUrl);
    } catch (e) {
      const error = e instanceof Error && e.message === 'invalid_form_data' ? 'invalid_form_data' : 'invalid_json';
      violate(error, 'request body could not be parsed');
      send(200, { ok: false, error });
      return;
    }
    const { token: bodyToken, ...args } = parsed.args;
    call.args = args;

    // Auth: Bearer header; a `token` form field also works (not in JSON bodies).
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1] ?? (parsed.json ? undefined : bodyToken);
    if (token === undefined || token === '') return send(200, { ok: false, error: 'not_authed' });
    call.auth = token === identity.botToken ? 'bot' : token === identity.appToken ? 'app' : 'invalid';
    if (call.auth === 'invalid') return send(200, { ok: false, error: 'invalid_auth' });
    if (call.auth === 'bot' && revoked) return send(200, { ok: false, error: 'token_revoked' });

    const issues = checkCall(method, args);
    if (issues.some((i) => i.kind === 'unknown_method')) {
      violate('unknown_method', `${method} is not a Slack Web API method`);
      return send(200, { ok: false, error: 'unknown_method', req_method: method });
    }
    if (issues.length > 0) {
      for (const i of issues) violate(i.kind, i.detail);
      const messages = issues.map((i) => `[ERROR] ${i.detail}`);
      return send(200, { ok: false, error: 'invalid_arguments', response_metadata: { messages } });
    }
    if ((call.auth === 'app') !== APP_TOKEN_METHODS.has(method)) {
      return send(200, { ok: false, error: 'not_allowed_token_type' });
    }
    const handler = handlers[method];
    if (!handler) {
      violate('not_implemented', `the fake does not implement ${method}`);
      return send(200, { ok: false, error: 'fake_not_implemented' });
    }

    const fault = faults.get(method)?.shift();
    if (fault?.kind === 'ratelimited') {
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
    }
    if (fault?.kind === 'error') return send(200, { ok: false, error: fault.error });
    if (fault?.kind === 'http') {
      call.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(fault.body ?? 'error');
      return;
    }
    if (fault?.kind === 'drop') {
      call.status = 0;
      req.socket.destroy();
      return;
    }
    // app-level limits (per app and workspace, per method tier) hit any method under load
    if (randomLimits.hit()) {
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(randomLimits.retryAfterSeconds) });
    }
    const retryAfter = limiter.admit(method, typeof args.channel === 'string' ? args.channel : undefined, nowMs());
    if (retryAfter !== undefined) {
      return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
    }

    const delay = delays.get(method);
    if (delay && delay.mode === 'before') await sleep(delay.ms);
    const result = handler({ ws, args, url, unknownChannels: opts.unknownChannels ?? 'not_found' });
    for (const detail of result.issues ?? []) violate(String(result.body.error ?? 'invalid'), detail);
    if (delay && delay.mode === 'after') await sleep(delay.ms);
    if (fault?.kind === 'lose-response') {
      call.status = 0;
      call.ok = result.body.ok === true;
      call.lost = true;
      req.socket.destroy();
      return;
    }
    send(200, result.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      violations.push({ method: req.url ?? '', kind: 'fake_crashed', detail: String(e), args: {} });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const failNext = (method: string, fault: FakeFault, count = 1) => {
    const queue = faults.get(method) ?? [];
    for (let i = 0; i < count; i++) queue.push(fault);
    faults.set(method, queue);
  };
  const byChannel = <T extends { channel: string }>(list: T[], channel?: string) =>
    channel === undefined ? [...list] : list.filter((x) => x.channel === channel);

  return {
    url,
    apiUrl: `${url}/api/`,
    botToken: identity.botToken,
    appToken: identity.appToken,
    identity,
    workspace: ws,
    calls,
    violations,
    posts: (channel) => byChannel(ws.messages, channel).filter((m) => m.byBot),
    messages: (channel) => byChannel(ws.messages, channel),
    ephemerals: (channel) => byChannel(ws.ephemerals, channel),
    views: () => [...ws.views.values()],
    callsTo: (method) => calls.filter((c) => c.method === method),
    setChannel: (id, cfg) => ws.setChannel(id, cfg),
    setUser: (id, cfg) => ws.setUser(id, cfg),
    addMessage(channel, msg) {
      const post: FakePost = {
        channel,
        ts: msg.ts ?? ws.nextTs(),
        user: msg.user ?? 'U0FAKEHUMAN',
        byBot: false,
        text: msg.text,
        args: {},
      };
      if (msg.metadata) post.metadata = msg.metadata;
      ws.messages.push(post);
      return post;
    },
    newTriggerId: () => ws.newTriggerId(),
    responseUrl: () => `${url}/response/${responseUrls.issue()}`,
    responses: (responseUrl) =>
      responseUrl === undefined
        ? [...responseUrls.responses]
        : responseUrls.responses.filter((r) => responseUrl.endsWith(`/response/${r.id}`)),
    expireTrigger: (id) => void ws.expiredTriggers.add(id),
    failNext,
    setDown(on) {
      down = on;
    },
    setRevoked(on) {
      revoked = on;
    },
    rateLimitNext: (method, count, retryAfter) => failNext(method, { kind: 'ratelimited', retryAfter }, count),
    loseResponseNext: (method, count = 1) => failNext(method, { kind: 'lose-response' }, count),
    setDelay(method, ms, mode = 'after') {
      if (ms > 0) delays.set(method, { ms, mode });
      else delays.delete(method);
    },
    rateLimitAtRandom(probability, retryAfterSeconds = 1, seed = 1) {
      randomLimits.set(probability, retryAfterSeconds, seed);
    },
    setRateLimits(limits) {
      limiter.limits = limits;
      limiter.reset();
    },
    reset() {
      calls.length = 0;
      violations.length = 0;
      ws.messages.length = 0;
      ws.ephemerals.length = 0;
      responseUrls.clear();
      ws.views.clear();
      ws.triggers.clear();
      ws.usedTriggers.clear();
      ws.expiredTriggers.clear();
      faults.clear();
      delays.clear();
      limiter.reset();
      randomLimits.set(0);
    },
    async close() {
      for (const t of [...timers]) {
        clearTimeout(t.timer);
        t.done();
      }
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
