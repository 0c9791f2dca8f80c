/**
 * CSV for exports (`check export`): RFC 4180 with CRLF line ends, prefixed with a UTF-8 BOM
 * so that Excel opens Japanese text correctly, and guarded against formula injection.
 */
import { cleanText } from './text.ts';

/** One cell: text, a number, or null for an empty field. */
export type CsvCell = string | number | null;

const BOM = '\uFEFF';
/** Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection). */
// CR and tab are OWASP's; a line break too, since cleanText turns every CR into one
const FORMULA_START = /^[=+\-@\t\r\n]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** The text of one field, neutralised and quoted as needed. */
export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  // cleaned first (src/domain/text.ts), so that no control or bidi character hides a formula
  // start; a leading apostrophe makes the spreadsheet show the text instead of evaluating it
  const text = cleanText(cell);
  const safe = FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Rows as CSV text: BOM, fields joined by commas, every record ended by CRLF. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return BOM + rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}
