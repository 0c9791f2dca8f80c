/**
 * Loads the Slack Web API OpenAPI 2.0 spec (slackapi/slack-api-specs, 2021-09) from
 * `tests/fixtures/specs/slack/` and checks the arguments of a call against it.
 *
 * The spec is old, so a few newer, documented parameters and methods are allowed explicitly below.
 * Keep those lists short and say where each entry comes from.
 */
import { readFileSync } from 'node:fs';

/** Where the specs live: `tests/fixtures/specs/slack/` (source and licence: tests/fixtures/README.md). */
export const SLACK_SPEC_DIR = new URL('../fixtures/specs/slack/', import.meta.url);

/** Parameter type as the spec declares it, plus `json` for parameters that carry a JSON document. */
export type SpecParamType = 'string' | 'boolean' | 'integer' | 'number' | 'json';

/** One parameter a method accepts. */
export interface SpecParam {
  name: string;
  type: SpecParamType;
  required: boolean;
}

/** One Web API method as the fake understands it. */
export interface SpecMethod {
  name: string;
  /** HTTP verbs the spec lists (the platform takes POST for every method anyway). */
  verbs: string[];
  params: Map<string, SpecParam>;
  /** Rate limit tier from slack_rate_limit_tiers.json, e.g. `Tier3` or `SpecialTier_chat_postMessage`. */
  tier: string | undefined;
}

/** A problem found in a call's arguments. */
export interface SpecIssue {
  kind: 'unknown_method' | 'unknown_param' | 'missing_param' | 'bad_type' | 'bad_json';
  param?: string;
  detail: string;
}

/** Parameters whose value is a JSON document (a string in form bodies, an object/array in JSON bodies). */
const JSON_PARAMS = new Set(['blocks', 'attachments', 'view', 'metadata']);

/**
 * Parameters the 2021 spec lacks but the platform documents today. Each entry: method → name → type.
 */
const NEWER_PARAMS: Record<string, Record<string, SpecParamType>> = {
  // Message metadata (2022): https://docs.slack.dev/messaging/message-metadata
  'chat.postMessage': { metadata: 'json' },
  'chat.update': { metadata: 'json', reply_broadcast: 'boolean' },
  // include_all_metadata (2022) returns metadata of messages in history.
  'conversations.history': { include_all_metadata: 'boolean' },
  'conversations.replies': { include_all_metadata: 'boolean' },
};

/**
 * Parameters every method accepts although the spec does not list them.
 * `team_id`: @slack/web-api sends it on every call when the client's `teamId` option is set (org-wide apps).
 */
const GLOBAL_PARAMS: Record<string, SpecParamType> = { team_id: 'string' };

/**
 * Parameters the spec marks optional but the platform requires (the call fails without them).
 */
const ALSO_REQUIRED: Record<string, string[]> = {
  'conversations.history': ['channel'],
  'conversations.info': ['channel'],
  'users.info': ['user'],
  'views.update': ['view'],
};

/** Methods the 2021 spec lacks entirely. */
const NEWER_METHODS: Record<string, { verbs: string[]; params: Record<string, SpecParamType>; tier: string }> = {
  // Socket Mode, called with an app-level (xapp-) token: https://docs.slack.dev/reference/methods/apps.connections.open
  'apps.connections.open': { verbs: ['post'], params: {}, tier: 'Tier1' },
};

let cache: Map<string, SpecMethod> | undefined;

interface RawParam {
  name: string;
  in: string;
  type?: string;
  required?: boolean;
}

function toType(name: string, raw: string | undefined): SpecParamType {
  if (JSON_PARAMS.has(name)) return 'json';
  if (raw === 'boolean' || raw === 'integer' || raw === 'number') return raw;
  return 'string';
}

/** Reads the spec and tier files once and returns method name → method. */
export function loadSlackSpec(): Map<string, SpecMethod> {
  if (cache) return cache;
  const spec = JSON.parse(readFileSync(new URL('slack_web_openapi_v2.json', SLACK_SPEC_DIR), 'utf8')) as {
    paths: Record<string, Record<string, { parameters?: RawParam[] }>>;
  };
  const tiers = JSON.parse(readFileSync(new URL('slack_rate_limit_tiers.json', SLACK_SPEC_DIR), 'utf8')) as Record<
    string,
    string
  >;
  const methods = new Map<string, SpecMethod>();
  for (const [path, ops] of Object.entries(spec.paths)) {
    const name = path.replace(/^\//, '');
    const params = new Map<string, SpecParam>();
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) {
        if (p.name === 'token') continue; // the token travels in the Authorization header
        params.set(p.name, { name: p.name, type: toType(p.name, p.type), required: p.required === true });
      }
    }
    methods.set(name, { name, verbs: Object.keys(ops), params, tier: tiers[name] });
  }
  for (const [name, m] of Object.entries(NEWER_METHODS)) {
    const params = new Map<string, SpecParam>();
    for (const [p, type] of Object.entries(m.params)) params.set(p, { name: p, type, required: false });
    methods.set(name, { name, verbs: m.verbs, params, tier: tiers[name] ?? m.tier });
  }
  for (const [method, extra] of Object.entries(NEWER_PARAMS)) {
    const m = methods.get(method);
    if (!m) continue;
    for (const [p, type] of Object.entries(extra)) m.params.set(p, { name: p, type, required: false });
  }
  for (const [method, names] of Object.entries(ALSO_REQUIRED)) {
    const m = methods.get(method);
    for (const p of names) {
      const param = m?.params.get(p);
      if (param) param.required = true;
    }
  }
  cache = methods;
  return methods;
}

function typeIssue(type: SpecParamType, value: unknown): string | undefined {
  if (type === 'json') {
    if (typeof value !== 'string') return typeof value === 'object' ? undefined : 'expected a JSON document';
    try {
      JSON.parse(value);
      return undefined;
    } catch {
      return 'not valid JSON';
    }
  }
  const s = typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
  if (typeof s !== 'string') return `expected ${type}, got ${typeof value}`;
  if (type === 'boolean' && !/^(true|false|1|0)$/.test(s)) return `expected boolean, got ${JSON.stringify(s)}`;
  if (type === 'integer' && !/^-?\d+$/.test(s)) return `expected integer, got ${JSON.stringify(s)}`;
  if (type === 'number' && !/^-?\d+(\.\d+)?$/.test(s)) return `expected number, got ${JSON.stringify(s)}`;
  return undefined;
}

/** Checks a call against the spec: method exists, required parameters present, no unknown ones, types. */
export function checkCall(method: string, args: Record<string, unknown>): SpecIssue[] {
  const spec = loadSlackSpec().get(method);
  if (!spec) return [{ kind: 'unknown_method', detail: `method ${method} is not in the spec` }];
  const issues: SpecIssue[] = [];
  for (const p of spec.params.values()) {
    const v = args[p.name];
    if (p.required && (v === undefined || v === '')) {
      issues.push({ kind: 'missing_param', param: p.name, detail: `missing required field: ${p.name}` });
    }
  }
  for (const [name, value] of Object.entries(args)) {
    const p = spec.params.get(name);
    const type = p?.type ?? GLOBAL_PARAMS[name];
    if (!type) {
      issues.push({ kind: 'unknown_param', param: name, detail: `unknown argument: ${name}` });
      continue;
    }
    const problem = typeIssue(type, value);
    if (problem) {
      issues.push({ kind: type === 'json' ? 'bad_json' : 'bad_type', param: name, detail: `${name}: ${problem}` });
    }
  }
  return issues;
}
