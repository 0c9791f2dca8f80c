/** How report, incident update and incident show/list say stages, items and deadlines (issue 17). */
import type { Block } from '../src/core/reply.ts';
import { formatDateTime } from '../src/domain/dates.ts';
import type { ReportClock } from '../src/domain/report-clocks.ts';
import type { ContentField } from '../src/domain/report-contents.ts';
import type { StageStep } from '../src/domain/report-stages.ts';
import { clockLines, contentBlocks, contentsOf, fieldList, stageLabel } from '../src/services/incident-clock-format.ts';
import type { Ctx } from './types.ts';

/** `報告期限: 最初の続報 …、確報 …` and what the 確報 still lacks, after a report or an update. */
export function deadlineLines(ctx: Ctx, r: { id: string; clocks: ReportClock[]; missing: ContentField[] }): string[] {
  const L = ctx.locale;
  const open = r.clocks.filter((c) => c.state === 'running' || c.state === 'overdue');
  const lines: string[] = [];
  if (open.length) {
    const list = open.map((c) => `${stageLabel(c.stage, ctx.t)} ${formatDateTime(c.dueAt, ctx.dates)}`);
    lines.push(ctx.t('report.deadlines', { list: list.join(L === 'ja' ? '、' : ', ') }));
  }
  const final = r.clocks.some((c) => c.stage === 'final' && c.metAt);
  if (!final) {
    lines.push(
      r.missing.length
        ? ctx.t('incident.final_needs', { fields: fieldList(r.missing, ctx.t, L) })
        : ctx.t('incident.final_ready', { id: r.id }),
    );
  }
  return lines;
}

/** The reply to an update: what it changed and which stage it made. */
export function updatedText(ctx: Ctx, id: string, changes: readonly string[], step: StageStep): string {
  const list = changes.length ? fieldList(changes, ctx.t, ctx.locale) : ctx.t('incident.ev.none');
  if (step.ok && step.step === 'update') return ctx.t('incident.updated_nth', { id, changes: list, n: step.n });
  if (step.ok && step.step === 'final') return ctx.t('incident.updated_final', { id, changes: list });
  return ctx.t('incident.updated_note', { id, changes: list });
}

/** `incident show`: the report items by group, then the deadline clocks. */
export function reportBlocks(
  ctx: Ctx,
  inc: Parameters<typeof contentsOf>[0],
  clocks: readonly ReportClock[],
  basis: string,
): Block[] {
  const blocks = contentBlocks(contentsOf(inc), ctx.t, ctx.locale);
  if (clocks.length) {
    blocks.push(
      { kind: 'heading', text: ctx.t('incident.clocks') },
      { kind: 'text', text: clockLines(clocks, ctx.clock.now(), ctx.t, ctx.dates).join('\n') },
      { kind: 'context', text: basis },
    );
  }
  return blocks;
}

/** The nearest deadline not met, for `incident list`: `確報 令和8年12月31日(木) 14:30（日本時間）（超過）`. */
export function nextDueText(ctx: Ctx, clocks: readonly ReportClock[]): string {
  const open = clocks.filter((c) => c.state === 'running' || c.state === 'overdue');
  const c = open.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
  if (!c) return '-';
  const due = `${stageLabel(c.stage, ctx.t)} ${formatDateTime(c.dueAt, ctx.dates)}`;
  return c.state === 'overdue' ? ctx.t('incident.due_overdue', { due }) : due;
}
