/** Structured logs (pino). Request bodies and secrets are never logged; these paths are redacted too. */
import pino, { type Logger } from 'pino';

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
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
    destination ?? pino.destination(2),
  );
}
