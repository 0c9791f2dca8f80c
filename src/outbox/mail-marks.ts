/**
 * The marks an e-mail delivery row carries (mail.ts), in a module of their own: the services that
 * show a delivery's state read them without loading nodemailer, which is loaded only when e-mail
 * is configured (app.ts).
 */

/** The mark of a row whose message may be on its way to the SMTP server. */
export const MAIL_IN_FLIGHT = 'mail_in_flight';
/** The error of a row that may have been sent: never sent again without a person. */
export const MAIL_UNCERTAIN = 'mail_uncertain';
