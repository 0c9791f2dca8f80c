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
    case 'boolean':
      return JSON.stringify(v);
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
      const keys = Object.keys(o).sort();
      let out = '{';
      let first = true;
      for (const k of keys) {
        const x = o[k];
        if (x === undefined) continue;
        out += first ? JSON.stringify(k) : `,${JSON.stringify(k)}`;
        out += `:${encode(x)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new Error(`canonicalJson: cannot encode ${typeof v}`);
  }
}
