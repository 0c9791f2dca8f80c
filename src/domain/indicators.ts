/**
 * Indicators of compromise (IoCs): one canonical form per indicator, so that the same
 * address reported twice is stored once and correlates across organisations, and a
 * defanged form for chat, which never carries a live link to a malicious host.
 *
 * Decisions worth knowing:
 * - Defanged input is refanged everywhere in the string (`[.]`, `(.)`, `{.}`, `[dot]`,
 *   `(dot)`, `{dot}`, `[@]`, `[at]`, `(at)`, `{at}`, `[:]`, `[://]`, case-insensitive,
 *   repeated until nothing changes) and `hxxp`/`hxxps`/`fxp` schemes are restored, also
 *   inside a URL (`?next=hxxp://…`).
 * - URLs need a scheme (http, https or ftp): `evil.com/login` is rejected rather than
 *   guessed, because a wrong scheme would miss the correlation. A single trailing `/`
 *   after a bare host or IP is dropped instead (`1.2.3.4/` is the IP).
 * - In a URL the scheme and host are normalised, the default port is dropped, an empty
 *   path becomes `/` (RFC 3986 §6.2.3), the fragment is dropped (it never reaches the
 *   server), and userinfo, path and query are kept exactly as given.
 * - Host names allow `_` in labels (seen in real malicious hosts); the last label must be
 *   letters (two or more) or an `xn--` label, so single-label and numeric hosts fail.
 */
import { domainToASCII } from 'node:url';
import { canonicalIpv4, canonicalIpv6 } from './indicators-ip.ts';

/** The kinds of indicator the bot understands. */
export type IndicatorType = 'ipv4' | 'ipv6' | 'domain' | 'url' | 'email' | 'md5' | 'sha1' | 'sha256';

/** Every {@link IndicatorType}, in display order. */
export const INDICATOR_TYPES: readonly IndicatorType[] = [
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
];

/** An indicator in canonical form: equal values mean the same indicator. */
export type Normalized = { type: IndicatorType; value: string };

/** Outcome of {@link normalizeIndicator}; `code` is an i18n key, `input` echoes the raw text. */
export type NormalizeResult = { ok: true; indicator: Normalized } | { ok: false; code: 'ioc.invalid'; input: string };

/** Longest input accepted, and longest canonical value produced. */
export const MAX_INDICATOR_LENGTH = 2048;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ftp: 21 };
const HASH_TYPES: Readonly<Record<number, IndicatorType>> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };
const WRAPPERS: readonly (readonly [string, string])[] = [
  ['<', '>'],
  ['"', '"'],
  ["'", "'"],
  ['`', '`'],
  ['\u201c', '\u201d'],
  ['\u2018', '\u2019'],
  ['\u300c', '\u300d'],
];
// Schemes are swapped wherever they occur (a URL's query often carries another URL), and
// letter case is kept so that defang then refang gives back the very same text.
const SCHEME_ANYWHERE = /\b(?:https?|ftp)(?=:\/\/)/gi;
const DEFANGED_SCHEME = /\b(?:hxxps?|fxp)(?=:\/\/)/gi;
const FANG_TOKENS = /\[:\/\/\]|\[:\]|\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\[@\]|\[at\]|\(at\)|\{at\}/gi;
// Whitespace, controls, invisible format characters and lone surrogates never belong in
// an indicator; a zero-width space would otherwise make two look-alike values differ.
const FORBIDDEN = /[\s\p{Cc}\p{Cf}\p{Cs}\p{Z}]/u;
const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-\u0080-\u{10FFFF}]{1,64}$/u;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * Reads one indicator as a person would paste it (defanged, quoted, in angle brackets, with
 * surrounding spaces) and returns its canonical form. Never throws, whatever the input.
 */
export function normalizeIndicator(raw: string): NormalizeResult {
  const input = typeof raw === 'string' ? raw : '';
  try {
    const indicator = classify(input);
    if (indicator && indicator.value.length <= MAX_INDICATOR_LENGTH) return { ok: true, indicator };
  } catch {
    // Unreachable by design; the contract is "never throws", so a bug here is a rejection.
  }
  return { ok: false, code: 'ioc.invalid', input };
}

/**
 * Normalises several indicators at once: valid ones deduplicated in first-seen order, and
 * the raw text of the invalid ones.
 */
export function normalizeIndicators(values: readonly string[]): { indicators: Normalized[]; invalid: string[] } {
  const seen = new Set<string>();
  const indicators: Normalized[] = [];
  const invalid: string[] = [];
  for (const v of values) {
    const r = normalizeIndicator(v);
    if (!r.ok) {
      invalid.push(r.input);
      continue;
    }
    const key = `${r.indicator.type}\u0000${r.indicator.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    indicators.push(r.indicator);
  }
  return { indicators, invalid };
}

/**
 * The form shown in chat: `hxxp://example[.]com/`, `1.2.3[.]4`, `user[@]example[.]com`;
 * hashes unchanged. Every dot of a host, URL or e-mail address is bracketed, because chat
 * clients link any `name.tld` they see. Feeding the result to {@link normalizeIndicator}
 * gives back the canonical value. Text that is not a valid indicator is defanged
 * bluntly, so nothing this returns is ever a live link.
 */
export function defang(value: string): string {
  const text = typeof value === 'string' ? value : '';
  const r = normalizeIndicator(text);
  if (!r.ok) return defangText(text);
  const v = r.indicator.value;
  switch (r.indicator.type) {
    case 'md5':
    case 'sha1':
    case 'sha256':
      return v;
    case 'ipv4':
    case 'ipv6':
      return defangLastDot(v);
    default:
      return defangText(v);
  }
}

function defangText(s: string): string {
  return s
    .replace(SCHEME_ANYWHERE, (m) => m.replace(/t/g, 'x').replace(/T/g, 'X'))
    .replace(/\./g, '[.]')
    .replace(/@/g, '[@]');
}

function defangLastDot(s: string): string {
  const i = s.lastIndexOf('.');
  return i < 0 ? s : `${s.slice(0, i)}[.]${s.slice(i + 1)}`;
}

function classify(raw: string): Normalized | null {
  if (raw.length > MAX_INDICATOR_LENGTH) return null;
  let s = unwrap(raw.trim());
  if (s === '' || FORBIDDEN.test(s)) return null;
  s = refang(s);
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(s)) return url(s);
  if (s.endsWith('/')) s = s.slice(0, -1);
  if (/^[0-9A-Fa-f]+$/.test(s)) {
    const type = HASH_TYPES[s.length];
    return type ? { type, value: s.toLowerCase() } : null;
  }
  if (s.includes('@')) return email(s.replace(/^mailto:/i, ''));
  if (s.includes(':')) {
    const v6 = canonicalIpv6(s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s);
    return v6 ? { type: 'ipv6', value: v6 } : null;
  }
  if (/^[0-9.]+$/.test(s)) {
    const v4 = canonicalIpv4(s);
    return v4 ? { type: 'ipv4', value: v4 } : null;
  }
  const domain = canonicalDomain(s);
  return domain ? { type: 'domain', value: domain } : null;
}

function unwrap(s: string): string {
  let out = s;
  for (;;) {
    const pair = WRAPPERS.find(([open, close]) => out.length >= 2 && out.startsWith(open) && out.endsWith(close));
    if (!pair) return out;
    out = out.slice(1, -1).trim();
  }
}

function refang(s: string): string {
  let out = s;
  let prev: string;
  do {
    prev = out;
    out = out.replace(FANG_TOKENS, (m) => {
      const t = m.toLowerCase();
      if (t === '[://]') return '://';
      if (t === '[:]') return ':';
      return t.includes('.') || t.includes('dot') ? '.' : '@';
    });
  } while (out !== prev);
  return out.replace(DEFANGED_SCHEME, (m) => m.replace(/x/g, 't').replace(/X/g, 'T'));
}

/** Canonical host name (lower case, punycode, no trailing dot), or null. */
function canonicalDomain(s: string): string | null {
  // domainToASCII would percent-decode and accept URL syntax, so only name characters go in.
  if (/[^A-Za-z0-9._-]/.test(s.replace(/[^\x00-\x7f]/g, ''))) return null;
  let ascii = domainToASCII(s);
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);
  if (ascii === '' || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return null;
  return TLD.test(labels[labels.length - 1] ?? '') ? ascii : null;
}

function email(s: string): Normalized | null {
  const at = s.indexOf('@');
  if (at !== s.lastIndexOf('@')) return null;
  const local = s.slice(0, at);
  if (!EMAIL_LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return null;
  const domain = canonicalDomain(s.slice(at + 1));
  return domain ? { type: 'email', value: `${local}@${domain}` } : null;
}

function url(s: string): Normalized | null {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)/.exec(s);
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase();
  const defaultPort = DEFAULT_PORTS[scheme];
  if (defaultPort === undefined) return null;
  const authority = m[2] ?? '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const hostPort = splitHostPort(authority.slice(at + 1));
  if (!hostPort) return null;
  const host = canonicalHost(hostPort.host, hostPort.bracketed);
  if (!host) return null;
  let port = '';
  if (hostPort.port !== '') {
    if (!/^[0-9]{1,5}$/.test(hostPort.port)) return null;
    const n = Number(hostPort.port);
    if (n < 1 || n > 65535) return null;
    if (n !== defaultPort) port = `:${n}`;
  }
  const rest = m[3] ?? '';
  const path = rest.startsWith('/') ? rest : `/${rest}`;
  const user = userinfo === '' ? '' : `${userinfo}@`;
  return { type: 'url', value: `${scheme}://${user}${host}${port}${path}` };
}

function splitHostPort(hp: string): { host: string; port: string; bracketed: boolean } | null {
  if (hp.startsWith('[')) {
    const close = hp.indexOf(']');
    if (close < 0) return null;
    const after = hp.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return null;
    return { host: hp.slice(1, close), port: after.slice(1), bracketed: true };
  }
  const colon = hp.lastIndexOf(':');
  if (colon < 0) return { host: hp, port: '', bracketed: false };
  return { host: hp.slice(0, colon), port: hp.slice(colon + 1), bracketed: false };
}

function canonicalHost(host: string, bracketed: boolean): string | null {
  if (bracketed) {
    const v6 = canonicalIpv6(host);
    return v6 ? `[${v6}]` : null;
  }
  if (/^[0-9.]+$/.test(host)) return canonicalIpv4(host);
  return canonicalDomain(host);
}
