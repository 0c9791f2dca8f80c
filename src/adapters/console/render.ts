/** Renders a portable reply as terminal text; buttons become the command to type. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OutMessage } from '../../core/platform.ts';
import { cleanReply, replyToText } from '../../core/reply.ts';
import type { Translate } from '../../i18n/index.ts';

export function renderConsole(message: OutMessage, t: Translate, outDir: string): string {
  // a terminal obeys control characters: escape sequences could rewrite what was shown
  const r = cleanReply(message);
  const lines = [replyToText(r)];
  for (const a of r.actions ?? [])
    lines.push(`  → ${t('button.hint', { command: `/csirt ${a.command}` })}  [${a.label}]`);
  for (const f of r.attachments ?? []) {
    mkdirSync(outDir, { recursive: true });
    const path = join(outDir, f.filename);
    writeFileSync(path, Buffer.from(f.data, 'base64'));
    lines.push(`  📎 ${path}`);
  }
  return lines.join('\n');
}
