/** bolt's and @slack/web-api's Logger interface over our pino logger (never logs bodies). */
import { LogLevel, type Logger as SlackLogger } from '@slack/logger';
import type { Logger } from 'pino';

export function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack' });
  let level: LogLevel = LogLevel.INFO;
  const str = (args: unknown[]) => args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
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
