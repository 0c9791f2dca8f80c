/**
 * Signed button values. A button carries the command it runs; the HMAC over it means a
 * forged or altered click is refused before anything runs. The command still runs as the
 * person who clicks, so roles and state are checked at the click.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a button stays valid (advisory acknowledgements may come weeks later). */
export const ACTION_TTL_MS = 90 * 24 * 3600 * 1000;

export function signAction(secret: string, command: string, now: Date): string {
  const body = Buffer.from(JSON.stringify({ c: command, t: Math.floor(now.getTime() / 1000) })).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The command of a valid token; null when it was altered, forged or has expired. */
export function verifyAction(secret: string, token: string, now: Date): string | null {
  const dot = token.indexOf('.');
  if (dot < 1 || token.length > 4000) return null;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const want = Buffer.from(mac(secret, body));
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { c?: unknown; t?: unknown };
    if (typeof p.c !== 'string' || typeof p.t !== 'number') return null;
    if (now.getTime() - p.t * 1000 > ACTION_TTL_MS || p.t * 1000 - now.getTime() > 300_000) return null;
    return p.c;
  } catch {
    return null;
  }
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(`csirt-action:${body}`).digest('base64url');
}
