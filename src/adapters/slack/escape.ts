/**
 * Slack text safety. Slack parses `<…>` in message text and mrkdwn: `<!channel>`, `<!here>`,
 * `<!everyone>`, `<!subteam^S123>` notify people and `<https://evil|gov.example>` disguises a
 * link. Every user-supplied string goes through escapeText before it reaches Slack.
 */

/** Escapes the three characters Slack asks apps to escape (&, <, >). */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Text for a ``` block: escaped, and a ``` inside cannot close the block early. */
export function escapeCode(s: string): string {
  return escapeText(s).replace(/```/g, '`\u200b``');
}

/** Cuts a string to at most `max` characters (code points), marking the cut. */
export function clip(s: string, max: number): string {
  // no longer in UTF-16 units than `max`: no more code points either (most strings; no copy)
  if (s.length <= max) return s;
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Splits raw text into pieces whose escaped form (by `esc`) is at most `max` characters,
 * preferring line breaks, so that an escape sequence is never cut in half. (`esc` of a prefix
 * is never longer than `esc` of the whole, as escapeText's and escapeCode's are.)
 */
export function chunkEscaped(raw: string, max: number, esc: (s: string) => string = escapeText): string[] {
  // most texts fit whole: escaped once, not again with every line added
  const whole = esc(raw);
  if (whole.length <= max) return [whole];
  const out: string[] = [];
  let cur = '';
  const push = (piece: string) => {
    if (esc(cur + piece).length <= max) cur += piece;
    else if (esc(piece).length <= max) {
      if (cur) out.push(esc(cur));
      cur = piece;
    } else {
      for (const ch of piece) {
        if (esc(cur + ch).length > max) {
          out.push(esc(cur));
          cur = '';
        }
        cur += ch;
      }
    }
  };
  const lines = raw.split('\n');
  for (const [i, l] of lines.entries()) push(i < lines.length - 1 ? `${l}\n` : l);
  if (cur || out.length === 0) out.push(esc(cur));
  return out;
}

/** The characters (code points) of a string, as `[...s].length` counts them, without the array. */
export function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}
