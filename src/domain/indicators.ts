/**
 * TEMPORARY minimal stand-in for main's src/domain/indicators.ts (same exports); dropped in
 * favour of main's version on merge.
 */
export type IndicatorType = 'ipv4' | 'ipv6' | 'domain' | 'url' | 'email' | 'md5' | 'sha1' | 'sha256';
export interface Indicator {
  type: IndicatorType;
  value: string;
}
export type NormalizeResult = { ok: true; indicator: Indicator } | { ok: false; code: 'ioc.invalid'; input: string };

function refang(s: string): string {
  return s
    .trim()
    .replace(/^hxxp(s?)/i, 'http$1')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\[@\]|\[at\]/gi, '@')
    .replace(/\[:\/\/\]/g, '://');
}

const HOST = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export function normalizeIndicator(raw: string): NormalizeResult {
  const bad = { ok: false as const, code: 'ioc.invalid' as const, input: raw };
  const s = refang(raw);
  if (/^[a-f0-9]{32}$/i.test(s)) return { ok: true, indicator: { type: 'md5', value: s.toLowerCase() } };
  if (/^[a-f0-9]{40}$/i.test(s)) return { ok: true, indicator: { type: 'sha1', value: s.toLowerCase() } };
  if (/^[a-f0-9]{64}$/i.test(s)) return { ok: true, indicator: { type: 'sha256', value: s.toLowerCase() } };
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return bad;
    return { ok: true, indicator: { type: 'ipv4', value: parts.join('.') } };
  }
  if (s.includes(':') && /^[0-9a-f:.]+$/i.test(s)) {
    try {
      const host = new URL(`http://[${s}]/`).hostname;
      return { ok: true, indicator: { type: 'ipv6', value: host.slice(1, -1) } };
    } catch {
      return bad;
    }
  }
  if (/^(https?|ftp):\/\//i.test(s)) {
    try {
      const u = new URL(s);
      return { ok: true, indicator: { type: 'url', value: u.href } };
    } catch {
      return bad;
    }
  }
  const em = /^([^@\s]+)@([^@\s]+)$/.exec(s);
  if (em) {
    const d = (em[2] as string).toLowerCase();
    return HOST.test(d) ? { ok: true, indicator: { type: 'email', value: `${em[1]}@${d}` } } : bad;
  }
  const d = s.toLowerCase().replace(/\.$/, '');
  if (HOST.test(d)) return { ok: true, indicator: { type: 'domain', value: d } };
  return bad;
}

/** The defanged form for showing in posts: `hxxp://example[.]com`, `user[@]example[.]com`. */
export function defang(value: string): string {
  if (/^[a-f0-9]{32,64}$/i.test(value)) return value;
  return value.replace(/^http/i, 'hxxp').replace(/^ftp/i, 'fxp').replace(/@/g, '[@]').replace(/\./g, '[.]');
}
