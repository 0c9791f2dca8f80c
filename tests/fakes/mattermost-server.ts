/**
 * A protocol-faithful fake of the Mattermost REST API v4 for tests, to be used with the real `Client4`
 * from `@mattermost/client`: `const c = new Client4(); c.setUrl(fake.url); c.setToken(fake.botToken);`.
 *
 * Every request is checked against the OpenAPI spec in `tests/fixtures/specs/mattermost/` (see mattermost-spec.ts);
 * a request that fails the check lands in `fake.violations` and is answered 400 with the server's error
 * JSON (the server itself ignores unknown body fields; the fake is stricter on purpose). Tests assert
 * `violations` is empty.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MmContext, MmHandler, MmHandlerOptions } from './mattermost-handler.ts';
import { postHandlers } from './mattermost-posts.ts';
import { MmRateLimiter } from './mattermost-rate-limit.ts';
import { otherHandlers } from './mattermost-routes.ts';
import { checkRequest, loadMattermostSpec } from './mattermost-spec.ts';
import { appError, FakeMmStore, MM_ERRORS, newMattermostId } from './mattermost-state.ts';
import type {
  FakeMattermost,
  FakeMattermostOptions,
  FakeMmCall,
  FakeMmDelayMode,
  FakeMmViolation,
} from './mattermost-types.ts';
import { RandomFaults } from './random.ts';

export type * from './mattermost-state.ts';
export type * from './mattermost-types.ts';

const handlers: Record<string, MmHandler> = { ...postHandlers, ...otherHandlers };
const CREATE_POST = 'POST /api/v4/posts';

type Fault = { kind: 'ratelimited'; retryAfter: number } | { kind: 'lose-response' };

/** The token of an `Authorization: Bearer <token>` (or `Token <token>`) header, as app.ParseAuthTokenFromRequest. */
function tokenOf(req: IncomingMessage): string | undefined {
  const m = /^(?:bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a fake Mattermost server on 127.0.0.1 (random port). */
export async function startFakeMattermost(opts: FakeMattermostOptions = {}): Promise<FakeMattermost> {
  // read now, not in the first request's handler: the bot under test shares this event loop,
  // and a first parse of the YAML (seconds) there outlasted the bot's 5 s timeout on GET
  // /users/me at its start (a retry, and "resolved once" saw 2 calls)
  loadMattermostSpec();
  const nowMs = () => (opts.clock ? opts.clock.now().getTime() : Date.now());
  const store = new FakeMmStore(nowMs);
  const bot = store.addUser({
    username: opts.bot?.username ?? 'csirt-bot',
    locale: opts.bot?.locale ?? 'ja',
    is_bot: true,
    ...(opts.bot?.id ? { id: opts.bot.id } : {}),
  });
  const botToken = opts.bot?.token ?? newMattermostId();
  const tokens = new Map<string, string>([[botToken, bot.id]]);
  const team = store.addTeam({ ...opts.team, name: opts.team?.name ?? 'csirt' });
  const addChannel: FakeMattermost['addChannel'] = (c) => store.addChannel({ ...c, members: c.members ?? [bot.id] });
  const channel = addChannel({ name: 'town-square', display_name: 'Town Square', team: team.id });
  for (const u of opts.users ?? []) store.addUser(u);
  for (const c of opts.channels ?? []) addChannel(c);

  const handlerOptions: MmHandlerOptions = {
    triggerTtlMs: opts.triggerTtlMs ?? 30_000,
    commandPermissions: opts.commandPermissions ?? 'others',
    canPostEphemeral: opts.canPostEphemeral ?? false,
    postEditTimeLimitSeconds: opts.postEditTimeLimitSeconds ?? -1,
    siteUrl: '',
  };
  const limiter = new MmRateLimiter(opts.rateLimit);
  const randomLimits = new RandomFaults();
  const postFaults: Fault[] = [];
  const delays = new Map<string, { ms: number; mode: FakeMmDelayMode }>();
  const unavailable = new Map<string, number>();
  const timers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
  const calls: FakeMmCall[] = [];
  const violations: FakeMmViolation[] = [];
  const version = opts.serverVersion ?? '10.5.0.fake';

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
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const requestId = newMattermostId();
    const call: FakeMmCall = { method, path: url.pathname, status: 0, at: nowMs() };
    calls.push(call);
    const headers: Record<string, string> = { 'X-Request-Id': requestId, 'X-Version-Id': version };
    const send = (status: number, body: unknown) => {
      call.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    const sendError = (status: number, err: readonly [string, string], name = '') =>
      send(status, appError(status, err, requestId, name));
    const violate = (kind: string, detail: string) => violations.push({ method, path: url.pathname, kind, detail });
    const tooMany = (extra: Record<string, string>) => {
      call.status = 429;
      res.writeHead(429, { ...headers, ...extra, 'Content-Type': 'text/plain; charset=utf-8' }).end('limit exceeded\n');
    };

    // The server's rate limiter wraps the whole router, keyed by token.
    const token = tokenOf(req);
    const decision = limiter.admit(token ?? 'anonymous', nowMs());
    if (decision) Object.assign(headers, decision.headers);
    if (decision?.limited) return tooMany({});
    if (randomLimits.hit()) {
      const wait = String(randomLimits.retryAfterSeconds);
      return tooMany({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': wait, 'Retry-After': wait });
    }

    const raw = await readBody(req);
    let body: unknown;
    if (raw.trim() !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        violate('bad_json', 'request body is not JSON');
        return sendError(400, MM_ERRORS.invalidBody, 'body');
      }
    }
    const check = checkRequest(method, url, body);
    if (!check.op) {
      violate('unknown_route', `${method} ${url.pathname} is not in the spec`);
      return sendError(404, MM_ERRORS.notFound);
    }
    const route = `${method} ${check.op.template}`;
    call.template = check.op.template;

    const userId = token === undefined ? undefined : tokens.get(token);
    if (userId === undefined) return sendError(401, MM_ERRORS.session);
    call.userId = userId;

    if (check.issues.length > 0) {
      for (const i of check.issues) violate(i.kind, i.detail);
      return sendError(400, MM_ERRORS.invalidBody, check.issues[0]!.detail);
    }
    const handler = handlers[route];
    if (!handler) {
      violate('not_implemented', `the fake does not implement ${route}`);
      return sendError(501, ['api.context.not_implemented.app_error', 'Not implemented.']);
    }
    const busy = unavailable.get(route) ?? 0;
    if (busy > 0) {
      unavailable.set(route, busy - 1);
      return sendError(503, MM_ERRORS.serverBusy);
    }
    const fault = route === CREATE_POST ? postFaults.shift() : undefined;
    if (fault?.kind === 'ratelimited') {
      return tooMany({
        'X-RateLimit-Limit': headers['X-RateLimit-Limit'] ?? '10',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(fault.retryAfter),
        'Retry-After': String(fault.retryAfter),
      });
    }
    const delay = delays.get(route) ?? delays.get('*');
    if (delay?.mode === 'before') await sleep(delay.ms);
    const ctx: MmContext = {
      store,
      userId,
      params: check.params,
      query: url.searchParams,
      body,
      requestId,
      now: nowMs(),
      status: check.op.successStatus,
      violate,
      options: handlerOptions,
    };
    const result = handler(ctx);
    if (delay?.mode === 'after') await sleep(delay.ms);
    if (fault?.kind === 'lose-response') {
      call.lost = true;
      req.socket.destroy();
      return;
    }
    send(result.status, result.body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      violations.push({ method: req.method ?? '', path: req.url ?? '', kind: 'fake_crashed', detail: String(e) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handlerOptions.siteUrl = opts.siteUrl ?? baseUrl;
  const byChannel = <T>(list: T[], get: (x: T) => string, channelId?: string) =>
    channelId === undefined ? [...list] : list.filter((x) => get(x) === channelId);

  return {
    url: baseUrl,
    botToken,
    bot,
    team,
    channel,
    store,
    violations,
    calls,
    dialogs: store.dialogs,
    posts: (channelId) => byChannel(store.posts, (p) => p.channel_id, channelId),
    ephemerals: (channelId) => byChannel(store.ephemerals, (e) => e.post.channel_id, channelId),
    commands: () => [...store.commands.values()].filter((c) => c.delete_at === 0),
    addUser: (u) => store.addUser(u),
    addTeam: (t) => store.addTeam(t),
    addChannel,
    addPost(channelId, p) {
      const at = p.create_at ?? nowMs();
      const post = {
        id: newMattermostId(),
        create_at: at,
        update_at: at,
        edit_at: 0,
        delete_at: 0,
        is_pinned: false,
        user_id: p.user_id ?? newMattermostId(),
        channel_id: channelId,
        root_id: '',
        original_id: '',
        message: p.message,
        type: '',
        props: structuredClone(p.props ?? {}),
        hashtags: '',
        file_ids: [],
        pending_post_id: '',
        metadata: {},
      };
      store.posts.push(post);
      return post;
    },
    get siteUrl() {
      return handlerOptions.siteUrl;
    },
    setSiteUrl(url) {
      handlerOptions.siteUrl = url;
    },
    setPostEditTimeLimit(seconds) {
      handlerOptions.postEditTimeLimitSeconds = seconds;
    },
    rateLimitAtRandom(probability, retryAfterSeconds = 1, seed = 1) {
      randomLimits.set(probability, retryAfterSeconds, seed);
    },
    addToken: (token, userId) => void tokens.set(token, userId),
    issueTriggerId: (userId) => store.issueTriggerId(userId),
    rateLimitNextPosts(count, retryAfter) {
      for (let i = 0; i < count; i++) postFaults.push({ kind: 'ratelimited', retryAfter });
    },
    loseResponseNextPosts(count = 1) {
      for (let i = 0; i < count; i++) postFaults.push({ kind: 'lose-response' });
    },
    unavailableNext(route, count = 1) {
      unavailable.set(route, (unavailable.get(route) ?? 0) + count);
    },
    setDelay(ms, route = '*', mode = 'after') {
      if (ms > 0) delays.set(route, { ms, mode });
      else delays.delete(route);
    },
    setRateLimit(limit) {
      limiter.limit = limit;
      limiter.reset();
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
