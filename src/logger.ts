/**
 * Structured logs (pino). Request bodies and secrets are never logged; these paths are redacted too.
 * On a terminal (stderr is a TTY) each event is one coloured line for people; otherwise, and
 * always with LOG_FORMAT=json, one JSON object a line for machines (journald, log shippers).
 * Redaction happens before either format is written.
 */
import pino, { type Logger } from 'pino';

export type LogFormat = 'auto' | 'json' | 'pretty';

export function createLogger(level: string, destination?: NodeJS.WritableStream, format: LogFormat = 'auto'): Logger {
  const out = destination ?? pino.destination({ fd: 2, sync: true });
  const pretty = format === 'pretty' || (format === 'auto' && !destination && process.stderr.isTTY === true);
  return pino(
    {
      level,
      base: { app: 'csirt-poc-bot' },
      redact: {
        paths: [
          'token',
          'secret',
          '*.token',
          '*.secret',
          'headers.authorization',
          'headers["x-slack-signature"]',
          'body',
        ],
        censor: '[redacted]',
      },
    },
    pretty ? prettyStream(out, !destination && process.stderr.isTTY === true) : out,
  );
}

const LEVELS: Record<number, [string, number]> = {
  10: ['TRACE', 90],
  20: ['DEBUG', 34],
  30: ['INFO ', 32],
  40: ['WARN ', 33],
  50: ['ERROR', 31],
  60: ['FATAL', 35],
};
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app']);

/** One event → one line: `09:12:03.481 INFO  message key=value err="TypeError: …"`. */
export function prettyLine(json: string, colour: boolean): string {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.replace(/\n$/, '');
  }
  const paint = (code: number, s: string) => (colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const t = new Date(typeof e.time === 'number' ? e.time : Date.now());
  const hh = (n: number, w = 2) => String(n).padStart(w, '0');
  const time = `${hh(t.getHours())}:${hh(t.getMinutes())}:${hh(t.getSeconds())}.${hh(t.getMilliseconds(), 3)}`;
  const [name, code] = LEVELS[e.level as number] ?? [String(e.level).padEnd(5), 0];
  const fields = Object.entries(e)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${paint(2, `${k}=`)}${field(k, v)}`);
  const msg = typeof e.msg === 'string' ? e.msg : '';
  return [paint(2, time), paint(code, name), msg, ...fields]
    .filter(Boolean)
    .join(' ')
    .replace(/[\r\n]+/g, ' ⏎ ');
}

function field(key: string, v: unknown): string {
  if (key === 'err' && v && typeof v === 'object') {
    const err = v as { type?: string; message?: string; stack?: string };
    const at = /\n\s+at (.+)/.exec(err.stack ?? '')?.[1];
    return JSON.stringify(`${err.type ?? 'Error'}: ${err.message ?? ''}${at ? ` (at ${at})` : ''}`);
  }
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

function prettyStream(out: { write(s: string): unknown }, colour: boolean): { write(s: string): void } {
  return { write: (s: string) => void out.write(`${prettyLine(s, colour)}\n`) };
}
