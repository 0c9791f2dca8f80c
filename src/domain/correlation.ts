/**
 * Which correlation alerts a batch of reports raises (src/services/report-batch.ts), computed
 * in JS from one read of the indicators' earlier sightings, exactly as writing the reports one
 * at a time in arrival order would: each report sees the links of the reports before it in the
 * batch. The rule (src/services/incident-indicators.ts): a real report's indicator raises an
 * alert when its organisation had not reported it before and the organisations that have now
 * reach 2 or more; an exercise's links are no sighting and never alert.
 */

/** Per indicator id: the organisations whose real (non-exercise) reports link it, and how many each. */
export type Sightings = Map<number, Map<number, number>>;

export interface BatchMember {
  orgId: number;
  exercise: boolean;
  /** the report's indicator ids, in the order it links them (distinct) */
  indicatorIds: readonly number[];
}

export interface Alert {
  /** the member (index in the batch) whose link raised it */
  member: number;
  indicatorId: number;
  /** the organisations that have reported the indicator with this member's report */
  orgCount: number;
}

/** The alerts of the members in order; `sightings` (read before the batch) is updated with theirs. */
export function batchAlerts(sightings: Sightings, members: readonly BatchMember[]): Alert[] {
  const alerts: Alert[] = [];
  members.forEach((m, member) => {
    for (const indicatorId of m.indicatorIds) {
      let orgs = sightings.get(indicatorId);
      if (!orgs) {
        orgs = new Map();
        sightings.set(indicatorId, orgs);
      }
      const mine = orgs.get(m.orgId) ?? 0;
      const before = orgs.size;
      if (m.exercise) continue;
      orgs.set(m.orgId, mine + 1);
      if (mine === 0 && before + 1 >= 2) alerts.push({ member, indicatorId, orgCount: before + 1 });
    }
  });
  return alerts;
}
