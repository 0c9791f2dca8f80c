/**
 * The `/csirt` argument grammar: bare words (group, subcommand, leading identifiers) and
 * `key=value` pairs; values with spaces are quoted "…", “…” or 「…」; full-width spaces and
 * ＝ are accepted as typed by a Japanese IME; keys may repeat (ioc=… ioc=…).
 */
import { UserError } from './errors.ts';

export interface ParsedArgs {
  /** bare tokens in order: group, subcommand, then positional values */
  words: string[];
  /** key=value pairs in order; keys lower-cased */
  pairs: [key: string, value: string][];
}

const QUOTES: Record<string, string> = { '"': '"', '“': '”', '「': '」', '”': '”' };
const SPACE = /[\s\u3000\u00a0]/;

/** Splits a command line; throws UserError('parse.*') for an unterminated quote or a bad key. */
export function parseArgs(input: string): ParsedArgs {
  let text = input.replace(/\r\n?/g, '\n').trim();
  text = text.replace(/^\/csirt(?=$|[\s\u3000])/i, '');
  const words: string[] = [];
  const pairs: [string, string][] = [];
  let i = 0;
  const n = text.length;
  const readValue = (): string => {
    const open = text[i] ?? '';
    const close = QUOTES[open];
    if (close) {
      const end = text.indexOf(close, i + 1);
      if (end < 0) throw new UserError('parse.unterminated_quote', { quote: open, close });
      const v = text.slice(i + 1, end);
      i = end + 1;
      if (i < n && !SPACE.test(text[i] ?? '')) {
        throw new UserError('parse.after_quote', { text: text.slice(i, i + 20) });
      }
      return v;
    }
    const start = i;
    while (i < n && !SPACE.test(text[i] ?? '')) i++;
    return text.slice(start, i);
  };
  while (i < n) {
    while (i < n && SPACE.test(text[i] ?? '')) i++;
    if (i >= n) break;
    if (QUOTES[text[i] ?? '']) {
      words.push(readValue());
      continue;
    }
    // a bare token, possibly key=value
    const start = i;
    while (i < n && !SPACE.test(text[i] ?? '') && text[i] !== '=' && text[i] !== '＝') i++;
    const head = text.slice(start, i);
    if (text[i] === '=' || text[i] === '＝') {
      if (/^[<#~@]/.test(head) || head.includes('://')) {
        // a mention or URL that happens to contain '=': keep it whole as a word
        i = start;
        while (i < n && !SPACE.test(text[i] ?? '')) i++;
        words.push(text.slice(start, i));
        continue;
      }
      // a key typed with the IME in full-width mode (ｓｕｍｍａｒｙ) is the same key
      const key = head.normalize('NFKC');
      if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(key)) throw new UserError('parse.bad_key', { key: head || '=' });
      i++;
      pairs.push([key.toLowerCase(), i < n && !SPACE.test(text[i] ?? '') ? readValue() : '']);
    } else {
      words.push(head);
    }
  }
  return { words, pairs };
}

/** Quotes a value for a command line when it needs it (used to build button commands). */
export function quoteArg(v: string): string {
  if (v !== '' && !/[\s\u3000"“”「」=]/.test(v)) return v;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes('」')) return `「${v}」`;
  return `“${v.replace(/”/g, '"')}”`;
}
