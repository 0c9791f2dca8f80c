/**
 * bolt's and @slack/web-api's Logger interface over our pino logger. Never logs bodies: at
 * debug level @slack/web-api writes every request's body and every answer (`http request
 * body: {…}`, `http request result: {…}`) — message text, users' data, incident summaries —
 * so such lines keep their label and lose their content.
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from 'pino';

const CONTENT_LINE =
  /^(http (?:request|response) (?:body|result|headers|data)|[^:{]*?\b(?:payload|body|result|args)\b)\s*:/i;

/** A Slack SDK log line without the content it carries. */
export function scrubSlackLine(msg: string): string {
  const m = CONTENT_LINE.exec(msg);
  return m ? `${m[1]}: [redacted]` : msg;
}

export function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack' });
  let level: LogLevel = LogLevel.INFO;
  const str = (args: unknown[]) =>
    scrubSlackLine(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  return {
    debug: (...a: unknown[]) => child.debug(str(a)),
    info: (...a: unknown[]) => child.info(str(a)),
    warn: (...a: unknown[]) => child.warn(str(a)),
    error: (...a: unknown[]) => child.error(str(a)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
