/**
 * Loads the Mattermost REST API v4 OpenAPI 3.0 spec from `tests/fixtures/specs/mattermost/`
 * and checks requests against it: the route (path template + method) exists, query parameters have the
 * declared types, the JSON body has its required properties with the right JSON types, and no unknown
 * top-level properties unless the schema allows additional properties.
 *
 * Where the spec disagrees with the server (and with `@mattermost/client`), the fix is listed in
 * BODY_OVERRIDES with its reason. Keep that list short.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Where the spec lives: `tests/fixtures/specs/mattermost/` (source and licence: tests/fixtures/README.md). */
export const MATTERMOST_SPEC_DIR = new URL('../fixtures/specs/mattermost/', import.meta.url);

/** The subset of a JSON Schema (OpenAPI 3.0 flavour) the checker understands. */
export interface Schema {
  $ref?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  enum?: unknown[];
  allOf?: Schema[];
}

interface RawParam {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

interface RawOperation {
  parameters?: RawParam[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, unknown>;
}

/** One operation of the spec. */
export interface SpecOperation {
  method: string;
  template: string;
  query: Map<string, RawParam>;
  body: Schema | undefined;
  bodyRequired: boolean;
  /** The first 2xx status the spec documents (e.g. 201 for POST /api/v4/posts). */
  successStatus: number;
}

/** A problem found in a request. */
export interface SpecIssue {
  kind: 'unknown_route' | 'missing_body' | 'missing_property' | 'unknown_property' | 'bad_type' | 'bad_query';
  detail: string;
}

interface Route {
  template: string;
  segments: string[];
  ops: Map<string, SpecOperation>;
}

/**
 * Where the spec and the server (v9/v10 source, and @mattermost/client 11) disagree. Key: `METHOD template`.
 */
const BODY_OVERRIDES: Record<string, Record<string, Schema>> = {
  // model.Post has pending_post_id; the server de-duplicates creates on it (app.deduplicateCreatePost).
  'POST /api/v4/posts': { pending_post_id: { type: 'string' } },
  // The spec types props as string; the server decodes model.Post.Props (a map) and Client4 sends an object.
  'PUT /api/v4/posts/{post_id}': { props: { type: 'object' } },
  // Same props fix; Client4.patchPost sends the whole patch including `id` (model.PostPatch ignores it).
  'PUT /api/v4/posts/{post_id}/patch': { props: { type: 'object' }, id: { type: 'string' } },
  // The server decodes a whole model.Command; the spec lists only the four required fields.
  'POST /api/v4/commands': {
    username: { type: 'string' },
    icon_url: { type: 'string' },
    auto_complete: { type: 'boolean' },
    auto_complete_desc: { type: 'string' },
    auto_complete_hint: { type: 'string' },
    display_name: { type: 'string' },
    description: { type: 'string' },
  },
};

let cache: { routes: Route[]; schemas: Record<string, Schema> } | undefined;

/** true once the spec has been read in this process (tests: the fake reads it at its start) */
export function mattermostSpecLoaded(): boolean {
  return cache !== undefined;
}

/** Reads the spec once. */
export function loadMattermostSpec(): { routes: Route[]; schemas: Record<string, Schema> } {
  if (cache) return cache;
  const doc = readSpec() as {
    paths: Record<string, Record<string, RawOperation>>;
    components: { schemas: Record<string, Schema> };
  };
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const ops = new Map<string, SpecOperation>();
    for (const [verb, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'delete', 'patch', 'head'].includes(verb)) continue;
      const method = verb.toUpperCase();
      const query = new Map<string, RawParam>();
      for (const p of op.parameters ?? []) if (p.in === 'query') query.set(p.name, p);
      let body = op.requestBody?.content?.['application/json']?.schema;
      const extra = BODY_OVERRIDES[`${method} ${template}`];
      if (body && extra) {
        const resolved = resolve(body, doc.components.schemas);
        body = { ...resolved, properties: { ...resolved.properties, ...extra } };
      }
      const codes = Object.keys(op.responses ?? {}).filter((c) => /^2\d\d$/.test(c));
      ops.set(method, {
        method,
        template,
        query,
        body,
        bodyRequired: op.requestBody?.required === true,
        successStatus: Number(codes.sort()[0] ?? 200),
      });
    }
    routes.push({ template, segments: template.split('/').filter(Boolean), ops });
  }
  cache = { routes, schemas: doc.components.schemas };
  return cache;
}

/**
 * Parses the YAML (about 3 s for 700 kB; 4-9 s of one synchronous stretch under load) and keeps a
 * JSON copy, keyed by the YAML's hash, so later test processes load it in milliseconds. The copy
 * is kept in node_modules/.cache, not the temp folder: `npm test` gives every run a new TMPDIR
 * (scripts/test.mjs), so a copy there was made again by each worker of each run.
 */
function readSpec(): unknown {
  const text = readFileSync(new URL('mattermost-openapi-v4.yaml', MATTERMOST_SPEC_DIR), 'utf8');
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const cached = join(cacheDir(), `mattermost-openapi-v4-${hash}.json`);
  try {
    return JSON.parse(readFileSync(cached, 'utf8'));
  } catch {
    const doc: unknown = parse(text);
    try {
      const partial = `${cached}.${process.pid}`;
      writeFileSync(partial, JSON.stringify(doc));
      renameSync(partial, cached);
    } catch {
      // a read-only folder only costs time
    }
    return doc;
  }
}

/** node_modules/.cache of the repository (kept between runs), else the temp folder. */
function cacheDir(): string {
  try {
    const dir = fileURLToPath(new URL('../../node_modules/.cache/csirt-tests/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    return dir;
  } catch {
    return tmpdir();
  }
}

function resolve(schema: Schema, schemas: Record<string, Schema>): Schema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) s = schemas[s.$ref.replace('#/components/schemas/', '')] ?? {};
  if (s.allOf) {
    const parts = s.allOf.map((p) => resolve(p, schemas));
    return {
      type: 'object',
      required: parts.flatMap((p) => p.required ?? []),
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
      additionalProperties: parts.some((p) => p.additionalProperties !== undefined && p.additionalProperties !== false),
    };
  }
  return s;
}

/** The operation a request hits, with its path parameters; literal segments win over `{params}`, as in the server's router. */
export function matchRoute(
  method: string,
  pathname: string,
): { op: SpecOperation; params: Record<string, string> } | undefined {
  const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const candidates: { route: Route; params: Record<string, string>; score: string }[] = [];
  for (const route of loadMattermostSpec().routes) {
    if (route.segments.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let score = '';
    const ok = route.segments.every((t, i) => {
      const s = segs[i] ?? '';
      const m = /^\{(.+)\}$/.exec(t);
      if (m) {
        params[m[1]!] = s;
        score += '1';
        return s !== '';
      }
      score += '0';
      return t === s;
    });
    if (ok) candidates.push({ route, params, score });
  }
  candidates.sort((a, b) => a.score.localeCompare(b.score));
  for (const c of candidates) {
    const op = c.route.ops.get(method);
    if (op) return { op, params: c.params };
  }
  return undefined;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function checkValue(schema: Schema, value: unknown, where: string, issues: SpecIssue[], top: boolean): void {
  const s = resolve(schema, loadMattermostSpec().schemas);
  const type = s.type ?? (s.properties ? 'object' : undefined);
  const actual = jsonType(value);
  if (value === null && !top) return; // Go decodes null as the zero value
  if (type && actual !== type && !(type === 'number' && actual === 'integer')) {
    issues.push({ kind: 'bad_type', detail: `${where || 'body'}: expected ${type}, got ${actual}` });
    return;
  }
  if (s.enum && !s.enum.includes(value)) {
    issues.push({ kind: 'bad_type', detail: `${where}: ${JSON.stringify(value)} is not one of ${s.enum.join(', ')}` });
  }
  if (type === 'array' && Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) {
      issues.push({ kind: 'bad_type', detail: `${where || 'body'}: needs at least ${s.minItems} items` });
    }
    if (s.maxItems !== undefined && value.length > s.maxItems) {
      issues.push({ kind: 'bad_type', detail: `${where || 'body'}: allows at most ${s.maxItems} items` });
    }
    const items = s.items;
    if (items) {
      value.forEach((v, i) => {
        checkValue(items, v, `${where}[${i}]`, issues, false);
      });
    }
  }
  if (type === 'object' && actual === 'object') {
    const obj = value as Record<string, unknown>;
    const prefix = where ? `${where}.` : '';
    for (const name of s.required ?? []) {
      if (obj[name] === undefined || obj[name] === null) {
        issues.push({ kind: 'missing_property', detail: `missing required property ${prefix}${name}` });
      }
    }
    for (const [name, v] of Object.entries(obj)) {
      const ps = s.properties?.[name];
      if (ps) checkValue(ps, v, prefix + name, issues, false);
      else if (top && s.properties && (s.additionalProperties === undefined || s.additionalProperties === false)) {
        issues.push({ kind: 'unknown_property', detail: `unknown property ${prefix}${name}` });
      }
    }
  }
}

function checkQuery(op: SpecOperation, query: URLSearchParams, issues: SpecIssue[]): void {
  for (const [name, p] of op.query) {
    const v = query.get(name);
    if (v === null) {
      if (p.required) issues.push({ kind: 'bad_query', detail: `missing query parameter ${name}` });
      continue;
    }
    const t = p.schema?.type;
    if (t === 'integer' && !/^-?\d+$/.test(v)) issues.push({ kind: 'bad_query', detail: `${name}: expected integer` });
    if (t === 'boolean' && !/^(true|false)$/.test(v))
      issues.push({ kind: 'bad_query', detail: `${name}: expected boolean` });
  }
}

/**
 * Checks one request. `body` is the parsed JSON body, or undefined when there was none.
 * Unknown query parameters are not flagged: the server ignores them (and Client4 sends some, e.g. skipFetchThreads).
 */
export function checkRequest(
  method: string,
  url: URL,
  body: unknown,
): { op?: SpecOperation; params: Record<string, string>; issues: SpecIssue[] } {
  const hit = matchRoute(method, url.pathname);
  if (!hit) {
    return { params: {}, issues: [{ kind: 'unknown_route', detail: `${method} ${url.pathname} is not in the spec` }] };
  }
  const issues: SpecIssue[] = [];
  checkQuery(hit.op, url.searchParams, issues);
  if (hit.op.body) {
    if (body === undefined) {
      if (hit.op.bodyRequired) issues.push({ kind: 'missing_body', detail: 'a JSON request body is required' });
    } else checkValue(hit.op.body, body, '', issues, true);
  }
  return { op: hit.op, params: hit.params, issues };
}
