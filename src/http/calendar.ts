/**
 * `GET /calendar/<token>.ics`: an organisation's meetings as an iCalendar feed. Any bad
 * token, or a path that is not one, gets the same 404 (the service compares in constant time).
 */
import type { Logger } from 'pino';
import type { MeetingService } from '../services/meetings.ts';
import type { Metrics } from './metrics.ts';
import type { HttpServer } from './server.ts';

const NOT_FOUND = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found' };

/** A refused token is counted in csirt_auth_failures_total and logged without the path (it holds the token). */
export function mountCalendar(http: HttpServer, meetings: MeetingService, metrics: Metrics, log: Logger): void {
  http.routePrefix('GET', '/calendar/', async (req) => {
    const m = /^\/calendar\/([A-Za-z0-9_-]{1,128})\.ics$/.exec(req.path);
    const body = m?.[1] ? await meetings.feed(m[1]) : null;
    if (body === null) {
      metrics.authFailures.inc({ endpoint: 'calendar', reason: 'bad_token' });
      log.warn({ endpoint: 'calendar' }, 'calendar feed refused: unknown token');
      return NOT_FOUND;
    }
    return { status: 200, headers: { 'content-type': 'text/calendar; charset=utf-8' }, body };
  });
}
