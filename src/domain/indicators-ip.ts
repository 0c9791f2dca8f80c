/**
 * Strict IP address literals for the indicator normaliser: parse, then print in one
 * canonical form (dotted decimal for IPv4, RFC 5952 for IPv6).
 */

/**
 * Canonical dotted-decimal IPv4, or null. Each octet is 0–255 with no leading zero: `010`
 * is rejected because inet_aton reads it as octal (8) while most tools read 10.
 */
export function canonicalIpv4(s: string): string | null {
  const octets = parseIpv4(s);
  return octets ? octets.join('.') : null;
}

function parseIpv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

/**
 * Canonical IPv6 text (RFC 5952: lower case, no leading zeros, the longest run of two or
 * more zero groups shown as `::`, the first such run on a tie), or null. IPv4-mapped
 * addresses keep the mixed notation RFC 5952 §5 recommends (`::ffff:192.0.2.1`). Zone
 * ids (`%eth0`) and prefixes (`/64`) are not addresses and are rejected.
 */
export function canonicalIpv6(s: string): string | null {
  const groups = parseIpv6(s);
  return groups ? formatIpv6(groups) : null;
}

function parseIpv6(s: string): number[] | null {
  if (s.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '', true) : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  // `::` stands for one or more zero groups, so at most seven are written out.
  const missing = 8 - head.length - tail.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Groups of one side of `::`; only the last group of the address may be dotted IPv4. */
function parseGroups(side: string, mayEndInIpv4: boolean): number[] | null {
  if (side === '') return [];
  const parts = side.split(':');
  const out: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] ?? '';
    if (p.includes('.')) {
      if (!mayEndInIpv4 || i !== parts.length - 1) return null;
      const v4 = parseIpv4(p);
      if (!v4) return null;
      const [a = 0, b = 0, c = 0, d = 0] = v4;
      out.push((a << 8) | b, (c << 8) | d);
    } else {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return null;
      out.push(Number.parseInt(p, 16));
    }
  }
  return out;
}

function formatIpv6(g: number[]): string {
  const isMapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;
  if (isMapped) {
    const hi = g[6] ?? 0;
    const lo = g[7] ?? 0;
    return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}
