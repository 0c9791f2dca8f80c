/**
 * An e-mail address an organisation is reached at when its chat channel cannot be used
 * (`org set <org> email=<address>`, docs/email.md). One rule, a pure function: the address is
 * read as a person would type or paste it (full-width letters and `＠` folded by NFKC, spaces
 * around it and `mailto:` dropped) and stored in one form, or refused saying why:
 * - a line break anywhere is refused first: an address goes into a mail header, and a CR or LF
 *   in one would write headers of its own (header injection);
 * - every other control, format (zero-width, bidi) or invisible character is refused with its
 *   code point: an address is compared and shown, and an invisible character in one is a
 *   mistake or a trick;
 * - the local part is an ASCII dot-atom (no quoted strings, no SMTPUTF8: the receiving servers
 *   of ministries are not assumed to take one); the domain is a host name of at least two
 *   labels, an internationalised one written in its ASCII (punycode) form, lower case; no
 *   address literal (`[192.0.2.1]`).
 */
import { domainToASCII } from 'node:url';
import { codePointLabel } from './text.ts';

export type AddressProblem =
  | 'empty'
  | 'line_break'
  | 'invisible'
  | 'shape'
  | 'local'
  | 'local_not_ascii'
  | 'domain'
  | 'too_long';

export type AddressResult = { ok: true; address: string } | { ok: false; problem: AddressProblem; char?: string };

const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/u;
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** The address in its stored form, or why it cannot be one. Never throws. */
export function normalizeEmailAddress(raw: string): AddressResult {
  if (typeof raw !== 'string') return { ok: false, problem: 'empty' };
  // before NFKC: a line break must be seen as typed
  if (LINE_BREAK.test(raw)) return { ok: false, problem: 'line_break' };
  const invisible = INVISIBLE.exec(raw);
  if (invisible) return { ok: false, problem: 'invisible', char: codePointLabel(invisible[0]) };
  let s = raw.normalize('NFKC').trim();
  // NFKC may make one of them (it does not today; said explicitly so that it never matters)
  if (LINE_BREAK.test(s)) return { ok: false, problem: 'line_break' };
  const again = INVISIBLE.exec(s);
  if (again) return { ok: false, problem: 'invisible', char: codePointLabel(again[0]) };
  if (/^mailto:/i.test(s)) s = s.slice(7);
  if (s.startsWith('<') && s.endsWith('>')) s = s.slice(1, -1);
  if (s === '') return { ok: false, problem: 'empty' };
  if (/\s/u.test(s)) return { ok: false, problem: 'shape' };
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1 || s.indexOf('@') !== at) return { ok: false, problem: 'shape' };
  const local = s.slice(0, at);
  if (local.length > 64) return { ok: false, problem: 'too_long' };
  if (!LOCAL.test(local)) {
    return { ok: false, problem: /[^\x00-\x7f]/.test(local) ? 'local_not_ascii' : 'local' };
  }
  let domain = s.slice(at + 1).toLowerCase();
  if (domain.endsWith('.')) domain = domain.slice(0, -1);
  if (domain.startsWith('[')) return { ok: false, problem: 'domain' };
  // only letters, digits, dot and hyphen in ASCII; the rest must be letters of a script (IDN)
  if (/[^a-z0-9.-]/.test(domain.replace(/[^\x00-\x7f]/g, ''))) return { ok: false, problem: 'domain' };
  const ascii = domainToASCII(domain);
  if (ascii === '' || ascii.length > 253) return { ok: false, problem: 'domain' };
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1] as string))
    return { ok: false, problem: 'domain' };
  const address = `${local}@${ascii}`;
  if (address.length > 254) return { ok: false, problem: 'too_long' };
  return { ok: true, address };
}
