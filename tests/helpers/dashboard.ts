/**
 * A dashboard session for a test: the person asks for `/csirt dashboard` in chat, the link's
 * one-time token is redeemed as the browser's sign-in form does (POST /dashboard/signin), and the
 * session cookie comes back. tests/e2e/dashboard-signin.test.ts tests the sign-in itself.
 */
import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';

/** The `name=value` of the session cookie `who` gets from the dashboard at `base`. */
export async function dashboardSession(t: TestApp, base: string, who: string): Promise<string> {
  const text = await t.say(who, 'dashboard');
  const token = /signin\?t=([A-Za-z0-9_-]+)/.exec(text)?.[1];
  assert.ok(token, `no sign-in link for ${who}: ${text}`);
  const r = await fetch(`${base}/dashboard/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ t: token }).toString(),
  });
  assert.equal(r.status, 303, `sign-in of ${who}`);
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
  assert.ok(cookie, `no session cookie for ${who}`);
  return cookie;
}
