/** A command's portable Reply drawn as HTML: the detail pages show what the chat command shows. */
import { type Block, cleanReply, type Reply } from '../core/reply.ts';
import { type Html, html } from './html.ts';

function block(b: Block): Html {
  switch (b.kind) {
    case 'heading':
      return html`<h2>${b.text}</h2>`;
    case 'text':
      return html`<p class="pre">${b.text}</p>`;
    case 'context':
      return html`<p class="pre context">${b.text}</p>`;
    case 'code':
      return html`<pre>${b.text}</pre>`;
    case 'fields':
      return html`<dl class="fields">${b.fields.map(([k, v]) => html`<dt>${k}</dt><dd class="pre">${v}</dd>`)}</dl>`;
    case 'table':
      return html`<div class="scroll"><table>
<thead><tr>${b.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${b.rows.map((r) => html`<tr>${r.map((c) => html`<td class="pre">${c}</td>`)}</tr>`)}</tbody>
</table></div>`;
  }
}

export function replyHtml(r: Reply): Html {
  return html`${cleanReply(r).blocks.map(block)}`;
}
