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
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Splits raw text into pieces whose escaped form (by `esc`) is at most `max` characters,
 * preferring line breaks, so that an escape sequence is never cut in half.
 */
export function chunkEscaped(raw: string, max: number, esc: (s: string) => string = escapeText): string[] {
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
