/**
 * A tiny server standing in for a slash command's `response_url` (`<site>/hooks/commands/<id>`): it records
 * what the bot POSTs there. Like the server (web/webhook.go, app/command.go), a hook takes 5 uses within
 * 30 minutes; a JSON body is a command response, any other body is taken as its text.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newMattermostId } from './mattermost-state.ts';

/** model.MaxCommandWebhookUses / CommandWebhookLifetime */
const MAX_USES = 5;
const LIFETIME_MS = 30 * 60_000;

/** One POST the bot made to a response_url. */
export interface ReceivedCommandResponse {
  hookId: string;
  contentType: string;
  /** The command response: the JSON body, or `{ text }` for a non-JSON body. */
  response: Record<string, unknown>;
  status: number;
  at: number;
}

/** A running response_url receiver. */
export interface FakeResponseUrlReceiver {
  /** A fresh response_url, as the server puts in each slash command. */
  newUrl(): string;
  received: ReceivedCommandResponse[];
  close(): Promise<void>;
}

/** Starts the receiver on 127.0.0.1 (random port). `now` is the clock for the 30-minute lifetime. */
export async function startResponseUrlReceiver(now: () => number = Date.now): Promise<FakeResponseUrlReceiver> {
  const hooks = new Map<string, { createdAt: number; uses: number }>();
  const received: ReceivedCommandResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: string, type = 'application/json') => {
        res.writeHead(status, { 'Content-Type': type }).end(body);
        return status;
      };
      const err = (status: number, id: string, message: string) =>
        reply(
          status,
          JSON.stringify({ id, message, detailed_error: '', request_id: newMattermostId(), status_code: status }),
        );
      const m = /^\/hooks\/commands\/([A-Za-z0-9]+)$/.exec(req.url ?? '');
      const hook = m ? hooks.get(m[1]!) : undefined;
      if (req.method !== 'POST' || !m || !hook || now() - hook.createdAt > LIFETIME_MS) {
        err(404, 'web.command_webhook.invalid.app_error', 'Invalid webhook.');
        return;
      }
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
      const raw = Buffer.concat(chunks).toString('utf8');
      let response: Record<string, unknown>;
      try {
        response = contentType === 'application/json' ? (JSON.parse(raw) as Record<string, unknown>) : { text: raw };
      } catch {
        err(400, 'web.command_webhook.parse.app_error', 'Unable to parse incoming data.');
        return;
      }
      const entry: ReceivedCommandResponse = { hookId: m[1]!, contentType, response, status: 200, at: now() };
      received.push(entry);
      hook.uses += 1;
      if (hook.uses > MAX_USES) {
        entry.status = err(400, 'app.command_webhook.try_use.invalid', 'Invalid webhook.');
        return;
      }
      reply(200, 'ok', 'text/plain');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    newUrl() {
      const id = newMattermostId();
      hooks.set(id, { createdAt: now(), uses: 0 });
      return `${base}/hooks/commands/${id}`;
    },
    received,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
