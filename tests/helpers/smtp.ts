/**
 * A real SMTP server for the e-mail tests (the registry's smtp-server, on 127.0.0.1, no TLS, any
 * sender): it keeps every message it read to the end, decoded enough to assert on (Message-ID,
 * recipients, subject, the base64 text part). `mode` says how it answers the end of DATA:
 * `accept` (250), `stall` (never: the message is read and kept, the answer never comes — a lost
 * answer; `dataStarted` resolves when the first message has been read), or `reject` (554).
 * `defer` answers the sender with 451 (try later) before any message is read: the row stays
 * pending for a later try, so a test can change things between writing a mail and sending it.
 */
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string[];
  from: string;
  subject: string;
  text: string;
  headers: string;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  mode: 'accept' | 'stall' | 'reject' | 'defer';
  /** resolves when a message has been read to its end (before the answer) */
  dataRead(): Promise<void>;
  close(): Promise<void>;
}

/** =?UTF-8?B?…?= words of a header, decoded. */
function decodeWords(s: string): string {
  return s.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data
            .replace(/_/g, ' ')
            .replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

export function parseMail(raw: string, to: string[], from: string): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1] ?? '';
  const body = raw.slice(split + 4);
  const text = /base64/i.test(header('Content-Transfer-Encoding'))
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : body;
  return { messageId: header('Message-ID'), to, from, subject: decodeWords(header('Subject')), text, headers };
}

/** `auth`: the server asks for a login (PLAIN/LOGIN, over plain text: tests only) and takes only this one. */
export async function startSmtp(
  mode: TestSmtp['mode'] = 'accept',
  auth?: { user: string; pass: string },
): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let read: () => void = () => {};
  const readOnce = new Promise<void>((r) => {
    read = r;
  });
  const state: TestSmtp = {
    url: '',
    received,
    mode,
    dataRead: () => readOnce,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = new SMTPServer({
    authOptional: !auth,
    allowInsecureAuth: true,
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    onAuth(a, _session, callback) {
      if (auth && a.username === auth.user && a.password === auth.pass) callback(null, { user: a.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    logger: false,
    closeTimeout: 100,
    onMailFrom(_address, _session, callback) {
      if (state.mode === 'defer') callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            session.envelope.rcptTo.map((a) => a.address),
            session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          ),
        );
        read();
        if (state.mode === 'accept') callback();
        else if (state.mode === 'reject')
          callback(Object.assign(new Error('rejected by policy'), { responseCode: 554 }));
        // stall: no answer, ever
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  state.url = `smtp://127.0.0.1:${port}`;
  return state;
}
