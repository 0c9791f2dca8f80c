/**
 * Canonical JSON in the spirit of RFC 8785: object keys sorted by UTF-16 code units, no
 * whitespace, Dates as ISO strings, undefined members dropped. The audit chain hashes exactly
 * these bytes and stores them as text (jsonb would reorder keys and break verification).
 */
export function canonicalJson(value: unknown): string {
  return encode(value);
}

// One string built in one pass (no key/value arrays, no joins): every audit record and every
// report's event data is hashed through here (tests/unit/audit/canonical-json.test.ts holds it
// to the first version, byte for byte).
function encode(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return quote(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v)) throw new Error('canonicalJson: non-finite number');
      return JSON.stringify(v);
    case 'bigint':
      return JSON.stringify(v.toString());
    case 'object': {
      if (v instanceof Date) return JSON.stringify(v.toISOString());
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          // a hole stays empty, as Array.prototype.map and join leave it
          if (!(i in v)) continue;
          const x = v[i];
          out += x === undefined ? 'null' : encode(x);
        }
        return `${out}]`;
      }
      const o = v as Record<string, unknown>;
      const keys = sortKeys(Object.keys(o));
      let out = '{';
      let first = true;
      for (const k of keys) {
        const x = o[k];
        if (x === undefined) continue;
        out += first ? quote(k) : `,${quote(k)}`;
        out += `:${encode(x)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot encode ${typeof v}`);
  }
}

/**
 * What JSON.stringify escapes in a string: the quote, the backslash, control characters, and
 * surrogates when lone (any surrogate here: a pair goes the slow way, written as it was).
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON.stringify writes it. Most strings need no escape: they are wrapped as they
 * are, without JSON.stringify's copy of the whole text (a report's messages are most of its
 * ~35 kB of canonical JSON; issue 19 item 7).
 */
function quote(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * `keys.sort()`, in place, by UTF-16 code units as sort() compares strings. An object has a few
 * keys: an insertion sort, without the copy Array.prototype.sort makes of every array it sorts
 * (that copy was ~14 kB of a report's allocations).
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > k) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}
