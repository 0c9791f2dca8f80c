/**
 * E-mail, the second channel (docs/email.md): the dispatcher's seam for rows whose platform is
 * `email` (target: the address). SMTP through nodemailer; the delivery id is the Message-ID
 * (`<delivery-id@domain of MAIL_FROM>`), so a copy sent twice is one message to the receiving
 * mail system.
 *
 * "A lost answer is not sent twice": a chat platform can be asked afterwards whether a post
 * carrying the id was made (`findByDeliveryId`); an SMTP server cannot. So before talking to
 * the server the row is marked `mail_in_flight` (a committed write, after the claim's own);
 * the outcome replaces the mark (sent, or the error of a try that certainly did not hand the
 * message over: no connection, refused login, a refused sender or recipient, an SMTP error
 * reply). A row found still marked when it is tried again — its process died, or the
 * connection broke after the message was on its way — is not sent again: it fails as
 * `mail_uncertain`, the coordinating office is told (as for every failed delivery), and an
 * administrator who has checked with the recipient sends it again with `delivery resend`
 * (the same Message-ID, so a receiving system that keeps ids drops a duplicate).
 */

import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { Logger } from 'pino';
import { MAIL, type OutMessage, PlatformError, type PlatformSeam } from '../core/platform.ts';
import { replyToText } from '../core/reply.ts';
import type { Database } from '../db/client.ts';
import { MAIL_IN_FLIGHT, MAIL_UNCERTAIN } from './mail-marks.ts';

export interface MailOptions {
  /** SMTP_URL (validated by src/config.ts) */
  url: string;
  /** MAIL_FROM (stored form) */
  from: string;
  db: Database;
  log: Logger;
  /** how long one SMTP conversation may stay silent (shorter than the delivery claim) */
  timeoutMs: number;
}

/** nodemailer's connection options for SMTP_URL: TLS verified always; STARTTLS as the URL says. */
export function connectionOptions(url: string, timeoutMs: number) {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  return {
    options: {
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port ? Number(u.port) : secure ? 465 : 587,
      secure,
      requireTLS: u.searchParams.get('starttls') === 'required',
      tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' as const },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    },
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : null,
  };
}

/** `<id@domain>`: the Message-ID of a delivery. */
export function messageIdOf(deliveryId: string, from: string): string {
  return `<${deliveryId}@${from.slice(from.lastIndexOf('@') + 1)}>`;
}

/**
 * The mail of a message: the subject is its first heading (the advisory's, with its TLP label
 * and id), the body everything it shows, and each button written as the command it runs.
 */
export function mailOf(msg: OutMessage): { subject: string; text: string } {
  const first = msg.blocks.find((b) => b.kind === 'heading');
  const subject = (first && 'text' in first ? first.text : 'csirt-poc-bot').replace(/[\r\n]+/g, ' ').slice(0, 200);
  const lines = [replyToText(msg)];
  for (const a of msg.actions ?? []) lines.push(`[${a.label}] /csirt ${a.command}`);
  return { subject, text: `${lines.join('\n')}\n` };
}

interface SmtpError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
}

/**
 * How a failed send reads. Before the message's envelope (connecting, TLS, login) nothing was
 * handed over: `sure`. During it, only an error reply of the server (4yz, 5yz) or a refused
 * envelope says the message was not accepted; a timeout or a broken connection may have come
 * after the server took it (nodemailer names such errors `CONN` whatever the stage, so the stage
 * is known from where the error came, not from the error).
 */
export function classifySmtpError(
  e: SmtpError,
  stage: 'connect' | 'send',
): { sure: boolean; kind: 'permanent' | 'transient' | 'unauthorized' } {
  const code = e.code ?? '';
  if (code === 'EAUTH' || code === 'ENOAUTH') return { sure: true, kind: 'unauthorized' };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400)
    // 5yz: the same message would be refused again (503: bad sequence, a new session helps)
    return { sure: true, kind: e.responseCode >= 500 && e.responseCode !== 503 ? 'permanent' : 'transient' };
  if (stage === 'connect' || code === 'EENVELOPE') return { sure: true, kind: 'transient' };
  return { sure: false, kind: 'permanent' };
}

export class MailSeam implements PlatformSeam {
  readonly name = MAIL;
  private readonly conn: ReturnType<typeof connectionOptions>;

  constructor(private readonly o: MailOptions) {
    this.conn = connectionOptions(o.url, o.timeoutMs);
  }

  async post(to: string, msg: OutMessage, deliveryId: string): Promise<{ ref: string }> {
    return { ref: await this.send(to, msg, deliveryId) };
  }

  update(): Promise<void> {
    // a mail cannot be changed once sent: the dispatcher sends the change as a reply
    return Promise.reject(new PlatformError('not_editable', 'an e-mail cannot be changed once sent'));
  }

  async followUp(
    to: string,
    ref: string,
    msg: OutMessage,
    deliveryId: string,
  ): Promise<{ ref: string; channel: string }> {
    return { ref: await this.send(to, msg, deliveryId, ref), channel: to };
  }

  dm(): Promise<{ ref: string; channel: string }> {
    return Promise.reject(new PlatformError('permanent', 'e-mail goes to an address, not to a chat user'));
  }

  /**
   * Asked before a second attempt: an SMTP server cannot say what it received, so a row whose
   * earlier attempt may have handed its message over (still marked) is failed as uncertain
   * instead of being sent again; otherwise the attempt goes ahead.
   */
  async findByDeliveryId(_kind: 'post' | 'dm', _target: string, deliveryId: string): Promise<null> {
    const row = await this.o.db.prisma.delivery.findUnique({ where: { id: deliveryId }, select: { error: true } });
    if (row?.error === MAIL_IN_FLIGHT)
      throw new PlatformError(
        'permanent',
        `${MAIL_UNCERTAIN}: an earlier attempt was interrupted while the message may have been on its way`,
      );
    return null;
  }

  botPostsSince(): Promise<null> {
    return Promise.resolve(null);
  }

  private async send(to: string, msg: OutMessage, deliveryId: string, inReplyTo?: string): Promise<string> {
    const messageId = messageIdOf(deliveryId, this.o.from);
    const { subject, text } = mailOf(msg);
    const raw = await new MailComposer({
      from: this.o.from,
      to,
      subject,
      text,
      // base64: lines of Japanese text stay intact whatever the relays do with long lines
      textEncoding: 'base64',
      messageId,
      ...(inReplyTo ? { inReplyTo, references: [inReplyTo] } : {}),
      headers: { 'X-CSIRT-Delivery-Id': deliveryId, 'Auto-Submitted': 'auto-generated' },
      // the address was checked when it was set; nothing else is read from outside
      disableFileAccess: true,
      disableUrlAccess: true,
    })
      .compile()
      .build();
    const conn = new SMTPConnection(this.conn.options);
    let broke: ((e: Error) => void) | null = null;
    conn.on('error', (e: Error) => broke?.(e));
    const step = <T>(run: (done: (e?: Error | null, v?: T) => void) => void) =>
      new Promise<T>((resolve, reject) => {
        broke = reject;
        run((e, v) => (e ? reject(e) : resolve(v as T)));
      });
    let stage: 'connect' | 'send' = 'connect';
    try {
      await step<void>((done) => conn.connect((e) => done(e)));
      const auth = this.conn.auth;
      if (auth) await step<boolean>((done) => conn.login(auth, done));
      // connected: from here on the message may reach the server; mark it first (committed)
      const marked = await this.o.db.prisma.delivery.updateMany({
        where: { id: deliveryId, status: 'sending' },
        data: { error: MAIL_IN_FLIGHT },
      });
      if (marked.count !== 1) throw new PlatformError('transient', 'the delivery is not being sent by this process');
      stage = 'send';
      await step((done) => conn.send({ from: this.o.from, to: [to] }, raw, done));
      return messageId;
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      const e = err as SmtpError;
      const c = classifySmtpError(e, stage);
      this.o.log.warn(
        { delivery: deliveryId, code: e.code, command: e.command, responseCode: e.responseCode, stage, sure: c.sure },
        c.sure ? 'e-mail not sent' : 'e-mail interrupted: whether it was sent is not known',
      );
      if (!c.sure) throw new PlatformError('permanent', `${MAIL_UNCERTAIN}: ${e.message}`);
      // certainly not handed over: the mark goes (an unauthorized row goes back untouched)
      if (stage === 'send')
        await this.o.db.prisma.delivery.updateMany({
          where: { id: deliveryId, error: MAIL_IN_FLIGHT },
          data: { error: null },
        });
      throw new PlatformError(c.kind, `smtp: ${e.message}`);
    } finally {
      broke = null;
      if (stage === 'send') conn.quit();
      else conn.close();
    }
  }
}
