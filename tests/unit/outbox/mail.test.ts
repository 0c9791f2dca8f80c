/** The e-mail seam's pure parts (src/outbox/mail.ts): how a failed send reads, the mail of a message, SMTP_URL. */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { classifySmtpError, connectionOptions, mailOf, messageIdOf } from '../../../src/outbox/mail.ts';

const err = (o: { code?: string; command?: string; responseCode?: number }) => Object.assign(new Error('x'), o);

test('a failure before the envelope is certain; after it only a reply of the server is', () => {
  // nodemailer names a timeout or a broken socket CONN whatever the stage: the stage decides
  assert.deepEqual(classifySmtpError(err({ code: 'ETIMEDOUT', command: 'CONN' }), 'connect'), {
    sure: true,
    kind: 'transient',
  });
  assert.deepEqual(classifySmtpError(err({ code: 'ETIMEDOUT', command: 'CONN' }), 'send'), {
    sure: false,
    kind: 'permanent',
  });
  assert.deepEqual(classifySmtpError(err({ code: 'ECONNECTION', command: 'CONN' }), 'send'), {
    sure: false,
    kind: 'permanent',
  });
  assert.deepEqual(classifySmtpError(err({ code: 'ESOCKET', command: 'CONN' }), 'connect'), {
    sure: true,
    kind: 'transient',
  });
  // the server said no: certain; 5yz permanent (503 excepted), 4yz transient
  assert.deepEqual(classifySmtpError(err({ code: 'EMESSAGE', command: 'DATA', responseCode: 554 }), 'send'), {
    sure: true,
    kind: 'permanent',
  });
  assert.deepEqual(classifySmtpError(err({ code: 'EMESSAGE', command: 'DATA', responseCode: 451 }), 'send'), {
    sure: true,
    kind: 'transient',
  });
  assert.deepEqual(classifySmtpError(err({ code: 'EPROTOCOL', responseCode: 503 }), 'send'), {
    sure: true,
    kind: 'transient',
  });
  assert.deepEqual(classifySmtpError(err({ code: 'EENVELOPE', command: 'RCPT TO' }), 'send'), {
    sure: true,
    kind: 'transient',
  });
  assert.deepEqual(classifySmtpError(err({ code: 'EAUTH', command: 'AUTH PLAIN', responseCode: 535 }), 'connect'), {
    sure: true,
    kind: 'unauthorized',
  });
});

test('the mail of a message: the first heading as subject (one line), buttons as commands', () => {
  const m = mailOf({
    blocks: [
      { kind: 'context', text: 'intro' },
      { kind: 'heading', text: '【注意喚起】TLP:AMBER ADV-2026-0001\r\nBcc: x@evil.example' },
      { kind: 'text', text: '本文' },
    ],
    actions: [{ label: '受領', command: 'advisory ack ADV-2026-0001' }],
  });
  assert.equal(m.subject, '【注意喚起】TLP:AMBER ADV-2026-0001 Bcc: x@evil.example');
  assert.match(m.text, /本文/);
  assert.match(m.text, /\[受領\] \/csirt advisory ack ADV-2026-0001/);
  assert.equal(messageIdOf('0a1b-2c', 'bot@nisc.example.go.jp'), '<0a1b-2c@nisc.example.go.jp>');
});

test('SMTP_URL: TLS from the start or STARTTLS, certificates verified, credentials decoded', () => {
  const s = connectionOptions('smtps://u%40x:p%40ss@mail.example.jp', 5000);
  assert.equal(s.options.secure, true);
  assert.equal(s.options.port, 465);
  assert.equal(s.options.tls.rejectUnauthorized, true);
  assert.deepEqual(s.auth, { user: 'u@x', pass: 'p@ss' });
  const p = connectionOptions('smtp://mail.example.jp?starttls=required', 5000);
  assert.equal(p.options.secure, false);
  assert.equal(p.options.port, 587);
  assert.equal(p.options.requireTLS, true);
  assert.equal(p.auth, null);
  assert.equal(connectionOptions('smtp://mail.example.jp:2525', 5000).options.requireTLS, false);
});
