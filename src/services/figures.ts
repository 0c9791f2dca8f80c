/**
 * The dashboard's figures (src/domain/figures.ts) from the audit records as stored, for the
 * organisations the person sees (seesOrg: every one for the coordinating office's roles, else
 * their own).
 */
import type { Caller } from '../core/command.ts';
import { FIGURE_ACTIONS, type Figure, figures, type Interval, intervals } from '../domain/figures.ts';
import { seesOrg } from '../domain/sharing.ts';
import type { ServiceDeps } from './context.ts';

export async function auditFigures(
  deps: ServiceDeps,
  caller: Caller,
): Promise<{ figures: Figure[]; intervals: Interval[] }> {
  const db = deps.db.prisma;
  const [records, orgs, exIncidents, exAdvisories] = await Promise.all([
    db.auditRecord.findMany({
      where: { action: { in: [...FIGURE_ACTIONS] } },
      orderBy: { seq: 'asc' },
      select: { seq: true, at: true, action: true, subject: true, data: true },
    }),
    db.organization.findMany({ select: { id: true, code: true } }),
    db.incident.findMany({ where: { exercise: true }, select: { id: true } }),
    db.advisory.findMany({ where: { exercise: true }, select: { id: true } }),
  ]);
  // an exercise (訓練) is in no figure (src/services/exercise.ts); a purged one's records are redacted
  const exercises = new Set([...exIncidents, ...exAdvisories].map((x) => x.id));
  const visible = new Set(orgs.filter((o) => seesOrg(caller, o.id)).map((o) => o.code));
  const events = records
    .filter((r) => !exercises.has(r.subject))
    .map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  const list = intervals(events).filter((i) => visible.has(i.org));
  return { figures: figures(list), intervals: list };
}
