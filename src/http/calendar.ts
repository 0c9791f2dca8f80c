/**
 * `GET /calendar/<token>.ics`: an organisation's meetings as an iCalendar feed. Any bad
 * token, or a path that is not one, gets the same 404 (the service compares in constant time).
 */
import type { MeetingService } from '../services/meetings.ts';
import type { HttpServer } from './server.ts';

const NOT_FOUND = { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'not found' };

export function mountCalendar(http: HttpServer, meetings: MeetingService): void {
  http.routePrefix('GET', '/calendar/', async (req) => {
    const m = /^\/calendar\/([A-Za-z0-9_-]{1,128})\.ics$/.exec(req.path);
    const body = m?.[1] ? await meetings.feed(m[1]) : null;
    if (body === null) return NOT_FOUND;
    return { status: 200, headers: { 'content-type': 'text/calendar; charset=utf-8' }, body };
  });
}
