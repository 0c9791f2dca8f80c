/**
 * Answers people type from a fixed list (`yes`/`no`, `attend`/`absent`/`proxy`, a severity, a
 * language): read case-insensitively, full-width forms accepted, and the Japanese words for the
 * answers (はい／いいえ, 同意／不同意, 出席／欠席／代理) wherever the English ones are
 * accepted. One function, used by every schema that takes a choice (commands/args.ts `choice`).
 */
import { foldCode } from './ids.ts';

/** Japanese (and other) words for a canonical answer; used only where that answer is allowed. */
export const ANSWER_WORDS: Readonly<Record<string, readonly string[]>> = {
  yes: ['はい', '同意', '同意する', '同意します'],
  no: ['いいえ', '不同意', '同意しない', '同意しません'],
  attend: ['出席', '出席する', '出席します'],
  absent: ['欠席', '欠席する', '欠席します'],
  proxy: ['代理', '代理出席'],
  ja: ['日本語'],
  en: ['英語', 'english'],
};

/**
 * The option of `options` that `input` means (`ＹＥＳ` → `yes`, `はい` → `yes`, `出席` →
 * `attend`), or null. Never throws.
 */
export function parseChoice<T extends string>(input: string, options: readonly T[]): T | null {
  if (typeof input !== 'string' || input.length > 100) return null;
  const s = foldCode(input).toLowerCase();
  for (const o of options) {
    if (o.toLowerCase() === s || (Object.hasOwn(ANSWER_WORDS, o) && ANSWER_WORDS[o]?.includes(s))) return o;
  }
  return null;
}
