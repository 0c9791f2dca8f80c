/**
 * views.open / views.push / views.update of the fake Slack Web API, with the platform's checks on
 * trigger_ids (valid 3 s, usable once) and on the view itself.
 */
import type { CallContext, Handler, HandlerResult } from './slack-methods.ts';
import { blocksProblem, fail, json, ok, str } from './slack-methods.ts';
import type { FakeView, FakeWorkspace } from './slack-state.ts';

/** Most views a modal stack may hold. */
const MAX_STACK = 3;

function textProblem(obj: unknown, field: string, max: number): string | undefined {
  if (typeof obj !== 'object' || obj === null) return `missing required field: ${field} [json-pointer:/view]`;
  const t = obj as { type?: unknown; text?: unknown };
  if (t.type !== 'plain_text') return `must be a plain_text object [json-pointer:/view/${field}/type]`;
  if (typeof t.text !== 'string' || t.text.length === 0)
    return `missing required field: text [json-pointer:/view/${field}]`;
  if (t.text.length > max) return `must be less than ${max + 1} characters [json-pointer:/view/${field}/text]`;
  return undefined;
}

/** Checks a modal view; returns the platform's `[ERROR] …` messages. */
export function viewProblems(view: unknown): string[] {
  if (typeof view !== 'object' || view === null || Array.isArray(view)) return ['view must be a JSON object'];
  const v = view as Record<string, unknown>;
  const out: string[] = [];
  if (v.type !== 'modal') out.push('must be one of: modal [json-pointer:/view/type]');
  const title = textProblem(v.title, 'title', 24);
  if (title) out.push(title);
  const blocks = blocksProblem(v.blocks, 100);
  if (blocks) out.push(blocks.replace('/blocks', '/view/blocks'));
  const hasInput = Array.isArray(v.blocks) && v.blocks.some((b) => (b as { type?: unknown })?.type === 'input');
  if (v.submit !== undefined || hasInput) {
    const submit = textProblem(v.submit, 'submit', 24);
    if (submit) out.push(submit);
  }
  if (v.close !== undefined) {
    const close = textProblem(v.close, 'close', 24);
    if (close) out.push(close);
  }
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000) {
    out.push('must be less than 3001 characters [json-pointer:/view/private_metadata]');
  }
  if (typeof v.callback_id === 'string' && v.callback_id.length > 255) {
    out.push('must be less than 256 characters [json-pointer:/view/callback_id]');
  }
  return out;
}

function invalid(messages: string[]): HandlerResult {
  return {
    body: {
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: messages.map((m) => `[ERROR] ${m}`) },
    },
    issues: messages,
  };
}

function newHash(ws: FakeWorkspace): string {
  return `${Math.floor(ws.now() / 1000)}.${Math.random().toString(36).slice(2, 10)}`;
}

function render(ws: FakeWorkspace, id: string, v: Record<string, unknown>, extra: Partial<FakeView>): FakeView {
  const hash = newHash(ws);
  const rootViewId = extra.rootViewId ?? id;
  const previousViewId = extra.previousViewId ?? null;
  const view: Record<string, unknown> = {
    id,
    team_id: ws.id.teamId,
    type: v.type,
    blocks: v.blocks,
    private_metadata: v.private_metadata ?? '',
    callback_id: v.callback_id ?? '',
    state: { values: {} },
    hash,
    title: v.title,
    clear_on_close: v.clear_on_close ?? false,
    notify_on_close: v.notify_on_close ?? false,
    close: v.close ?? null,
    submit: v.submit ?? null,
    previous_view_id: previousViewId,
    root_view_id: rootViewId,
    app_id: ws.id.appId,
    external_id: v.external_id ?? '',
    app_installed_team_id: ws.id.teamId,
    bot_id: ws.id.botId,
  };
  const out: FakeView = { id, rootViewId, previousViewId, hash, view };
  if (extra.triggerId) out.triggerId = extra.triggerId;
  return out;
}

/** Checks the trigger_id; returns an error result or undefined. */
function triggerProblem(ws: FakeWorkspace, triggerId: string): HandlerResult | undefined {
  if (ws.usedTriggers.has(triggerId)) return fail('exchanged_trigger_id');
  const issued = ws.triggers.get(triggerId);
  if (ws.expiredTriggers.has(triggerId) || (issued !== undefined && ws.now() - issued > ws.triggerTtlMs)) {
    return fail('expired_trigger_id');
  }
  return undefined;
}

function parseView(ctx: CallContext): Record<string, unknown> | HandlerResult {
  const v = json(ctx.args.view);
  const problems = viewProblems(v);
  if (problems.length > 0) return invalid(problems);
  const ext = (v as { external_id?: unknown }).external_id;
  if (typeof ext === 'string' && ext !== '') {
    const clash = [...ctx.ws.views.values()].find((x) => x.view.external_id === ext);
    if (clash && clash.id !== str(ctx.args.view_id) && str(ctx.args.external_id) !== ext) {
      return fail('duplicate_external_id');
    }
  }
  return v as Record<string, unknown>;
}

function isResult(v: Record<string, unknown> | HandlerResult): v is HandlerResult {
  return 'body' in v && typeof v.body === 'object';
}

const openView: Handler = (ctx) => {
  const { ws } = ctx;
  const triggerId = str(ctx.args.trigger_id) ?? '';
  const bad = triggerProblem(ws, triggerId);
  if (bad) return bad;
  const v = parseView(ctx);
  if (isResult(v)) return v;
  ws.usedTriggers.add(triggerId);
  const view = render(ws, ws.newId('V'), v, { triggerId });
  ws.views.set(view.id, view);
  return ok({ view: view.view });
};

const pushView: Handler = (ctx) => {
  const { ws } = ctx;
  const triggerId = str(ctx.args.trigger_id) ?? '';
  const bad = triggerProblem(ws, triggerId);
  if (bad) return bad;
  const v = parseView(ctx);
  if (isResult(v)) return v;
  // The interaction that produced the trigger came from the most recently opened modal stack.
  const top = [...ws.views.values()].at(-1);
  if (!top) return fail('not_found');
  const stack = [...ws.views.values()].filter((x) => x.rootViewId === top.rootViewId);
  if (stack.length >= MAX_STACK) return fail('push_limit_reached');
  ws.usedTriggers.add(triggerId);
  const view = render(ws, ws.newId('V'), v, { triggerId, rootViewId: top.rootViewId, previousViewId: top.id });
  ws.views.set(view.id, view);
  return ok({ view: view.view });
};

const updateView: Handler = (ctx) => {
  const { ws, args } = ctx;
  const viewId = str(args.view_id);
  const externalId = str(args.external_id);
  if (!viewId && !externalId) return invalid(['either view_id or external_id is required']);
  const current = viewId ? ws.views.get(viewId) : [...ws.views.values()].find((x) => x.view.external_id === externalId);
  if (!current) return fail('not_found');
  const hash = str(args.hash);
  if (hash && hash !== current.hash) return fail('hash_conflict');
  const v = parseView(ctx);
  if (isResult(v)) return v;
  const next = render(ws, current.id, v, { rootViewId: current.rootViewId, previousViewId: current.previousViewId });
  if (current.triggerId) next.triggerId = current.triggerId;
  ws.views.set(current.id, next);
  return ok({ view: next.view });
};

/** views.* handlers. */
export const viewHandlers: Record<string, Handler> = {
  'views.open': openView,
  'views.push': pushView,
  'views.update': updateView,
};
