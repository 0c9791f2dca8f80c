/**
 * A small Mattermost REST API v4 client over fetch, with the bot's `Authorization: Bearer`
 * token. fetch rather than Client4 for the calls whose failures the dispatcher must classify:
 * Client4 drops the 429 headers (Retry-After, X-RateLimit-Reset) that tell us when to retry.
 * Every failure becomes an MmApiError with the HTTP status and the server's error id.
 */
import { PlatformError } from '../../core/platform.ts';

/** The server's error id when an edit comes after ServiceSettings.PostEditTimeLimit (400). */
export const EDIT_TIME_LIMIT = 'api.post.update_post.permissions_time_limit.app_error';

export class MmApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    /** from Retry-After or X-RateLimit-Reset on a 429 */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MmApiError';
  }
}

export interface MmApiOptions {
  baseUrl: string;
  token: string;
  /** per request (default 10 s) */
  timeoutMs?: number;
}

type Query = Record<string, string | number | boolean | undefined>;

export class MmApi {
  private readonly base: string;

  constructor(private readonly o: MmApiOptions) {
    this.base = `${o.baseUrl.replace(/\/+$/, '')}/api/v4`;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    const qs = query
      ? new URLSearchParams(
          Object.entries(query)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]) => [k, String(v)]),
        ).toString()
      : '';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}${qs ? `?${qs}` : ''}`, {
        method,
        headers: {
          authorization: `Bearer ${this.o.token}`,
          accept: 'application/json',
          'x-requested-with': 'XMLHttpRequest',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
    } catch (e) {
      const err = e as Error;
      throw new MmApiError(0, err.name === 'TimeoutError' ? 'timeout' : 'network', `${method} ${path}: ${err.message}`);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
    let id = `http_${res.status}`;
    try {
      const j = JSON.parse(text) as { id?: unknown };
      if (typeof j.id === 'string') id = j.id;
    } catch {
      // 429 answers are plain text
    }
    throw new MmApiError(res.status, id, `${method} ${path}: ${res.status} ${id}`, retryAfter(res));
  }
}

/** Retry-After (seconds), else X-RateLimit-Reset (seconds until the bucket refills), in ms. */
function retryAfter(res: Response): number | undefined {
  if (res.status !== 429) return undefined;
  for (const h of ['retry-after', 'x-ratelimit-reset']) {
    const v = res.headers.get(h);
    if (v !== null && /^\d+(\.\d+)?$/.test(v.trim())) return Math.max(1, Number(v)) * 1000;
  }
  return 1000;
}

/** How the dispatcher should treat a failed call: 429 wait, 4xx give up, 5xx/timeouts retry. */
export function toPlatformError(e: unknown): PlatformError {
  if (e instanceof PlatformError) return e;
  if (e instanceof MmApiError) {
    if (e.status === 429) return new PlatformError('rate_limited', e.id, e.retryAfterMs ?? 1000);
    // the bot's token refused (revoked, expired, deactivated bot): not this row's fault
    if (e.status === 401) return new PlatformError('unauthorized', e.id || e.message);
    const permanent = e.status >= 400 && e.status < 500 && e.status !== 408;
    return new PlatformError(permanent ? 'permanent' : 'transient', e.message);
  }
  return new PlatformError('transient', String((e as Error)?.message ?? e));
}

/** Runs an API call, turning its failure into a PlatformError. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toPlatformError(e);
  }
}
