/** The clock input of an incident row (src/domain/report-clocks.ts), shared by the clocks and the chase. */
import type { Incident } from '../db/generated/sqlite/client.ts';
import { FINAL } from '../domain/incident-status.ts';
import type { ClockInput } from '../domain/report-clocks.ts';

export type ClockFields = Pick<
  Incident,
  'awareAt' | 'detectedAt' | 'createdAt' | 'updateAt' | 'finalAt' | 'status' | 'stage'
>;

/** The clock input of an incident row. */
export function clockInput(i: ClockFields): ClockInput {
  return {
    awareAt: i.awareAt ?? i.detectedAt,
    reportedAt: i.createdAt,
    updateAt: i.updateAt,
    finalAt: i.finalAt,
    open: !(FINAL as readonly string[]).includes(i.status),
  };
}
