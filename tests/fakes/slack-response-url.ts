/**
 * The fake's response_url receiver: Slack gives every command and interaction a response_url
 * (`https://hooks.slack.com/…`); in tests it points here. Checked as the platform does: a JSON
 * object, known fields only, text or blocks, at most 5 uses within 30 minutes.
 */
import { blocksProblem } from './slack-methods.ts';

/** One message posted to a response_url. */
export interface FakeResponse {
  /** the response_url's id (the last path segment) */
  id: string;
  body: Record<string, unknown>;
  at: number;
}

const FIELDS = new Set([
  'text',
  'blocks',
  'attachments',
  'response_type',
  'replace_original',
  'delete_original',
  'thread_ts',
  'mrkdwn',
  'unfurl_links',
  'unfurl_media',
]);
const MAX_USES = 5;
const LIFETIME_MS = 30 * 60 * 1000;

export class ResponseUrls {
  readonly responses: FakeResponse[] = [];
  private readonly issued = new Map<string, number>();
  /** uses per id (responses.filter per request would make the fake quadratic under load) */
  private readonly uses = new Map<string, number>();
  private counter = 0;

  constructor(private readonly nowMs: () => number) {}

  /** Forgets the messages received (issued ids stay valid). */
  clear(): void {
    this.responses.length = 0;
    this.uses.clear();
  }

  /** A new response_url id, valid from now. */
  issue(): string {
    this.counter += 1;
    const id = `R${String(this.counter).padStart(6, '0')}`;
    this.issued.set(id, this.nowMs());
    return id;
  }

  /** Handles one POST; returns status, body and the problems a test should see. */
  receive(id: string, contentType: string, raw: string): { status: number; body: string; issues: string[] } {
    const issued = this.issued.get(id);
    if (issued === undefined) return { status: 404, body: 'no_service', issues: [`unknown response_url ${id}`] };
    if (this.nowMs() - issued > LIFETIME_MS) return { status: 404, body: 'expired_url', issues: [] };
    if ((this.uses.get(id) ?? 0) >= MAX_USES) {
      return { status: 404, body: 'used_url', issues: [`response_url ${id} used more than ${MAX_USES} times`] };
    }
    if (!contentType.toLowerCase().startsWith('application/json')) {
      return { status: 400, body: 'invalid_payload', issues: ['response_url body must be application/json'] };
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, body: 'invalid_payload', issues: ['response_url body is not JSON'] };
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return { status: 400, body: 'invalid_payload', issues: ['response_url body must be a JSON object'] };
    }
    const b = body as Record<string, unknown>;
    const issues: string[] = [];
    for (const k of Object.keys(b)) if (!FIELDS.has(k)) issues.push(`unknown response_url field: ${k}`);
    if (b.response_type !== undefined && b.response_type !== 'ephemeral' && b.response_type !== 'in_channel') {
      issues.push(`response_type must be ephemeral or in_channel, got ${JSON.stringify(b.response_type)}`);
    }
    if (typeof b.text !== 'string' && b.blocks === undefined && b.delete_original !== true) {
      issues.push('response_url message needs text or blocks');
    }
    if (b.blocks !== undefined) {
      const p = blocksProblem(b.blocks, 50);
      if (p) issues.push(`blocks: ${p}`);
    }
    if (issues.length > 0) return { status: 400, body: 'invalid_blocks', issues };
    this.responses.push({ id, body: b, at: this.nowMs() });
    this.uses.set(id, (this.uses.get(id) ?? 0) + 1);
    return { status: 200, body: 'ok', issues: [] };
  }
}
