/** Every service, built once by the composition root and handed to handlers as ctx.services. */

import { anchorFilePath } from '../audit/anchor.ts';
import type { JobHandler } from '../scheduler/scheduler.ts';
import { AdvisoryService } from './advisories.ts';
import { AuditAnchorService } from './audit-anchor.ts';
import type { ServiceDeps } from './context.ts';
import { DashboardAuth } from './dashboard-auth.ts';
import { DeliveryService } from './deliveries.ts';
import { DirectoryService } from './directory.ts';
import { DrillService } from './drills.ts';
import { DutyService } from './duty.ts';
import { ExerciseService } from './exercise.ts';
import { IncidentQueries } from './incident-queries.ts';
import { IncidentService } from './incidents.ts';
import { InspectionViews } from './inspection-views.ts';
import { CAMPAIGN_REMINDER_JOB, InspectionService } from './inspections.ts';
import { MeetingService } from './meetings.ts';
import { ReadinessService } from './readiness.ts';
import { SeenRequests } from './seen-requests.ts';
import { SettingsService } from './settings.ts';

export interface Services {
  deps: ServiceDeps;
  directory: DirectoryService;
  settings: SettingsService;
  seenRequests: SeenRequests;
  advisories: AdvisoryService;
  incidents: IncidentService;
  incidentQueries: IncidentQueries;
  meetings: MeetingService;
  /** reachability drills (疎通確認) */
  drills: DrillService;
  /** the duty rota (当番) */
  duty: DutyService;
  /** exercise mode (訓練): purge */
  exercises: ExerciseService;
  readiness: ReadinessService;
  inspections: InspectionService;
  inspectionViews: InspectionViews;
  /** deliveries that need a person: failure notices, list, resend */
  deliveries: DeliveryService;
  /** the audit chain's daily and on-demand anchor */
  anchors: AuditAnchorService;
  /** the web dashboard's sign-in links and sessions */
  dashboard: DashboardAuth;
  /** every scheduler job kind the services handle; app.ts registers them on the scheduler */
  jobHandlers(): Record<string, JobHandler>;
}

export function createServices(deps: ServiceDeps): Services {
  const meetings = new MeetingService(deps);
  const readiness = new ReadinessService(deps);
  const inspections = new InspectionService(deps);
  const advisories = new AdvisoryService(deps);
  const anchors = new AuditAnchorService(
    deps,
    deps.anchorFile ?? anchorFilePath(undefined, 'postgresql:'),
    deps.anchorAt ?? '09:00',
  );
  const directory = new DirectoryService(deps);
  const incidents = new IncidentService(deps, (tx, id, actor) => advisories.sourceChanged(tx, id, actor));
  return {
    deps,
    directory,
    dashboard: new DashboardAuth(deps, directory),
    settings: new SettingsService(deps.db),
    seenRequests: new SeenRequests(deps.db, deps.clock),
    incidents,
    incidentQueries: new IncidentQueries(deps),
    meetings,
    drills: new DrillService(deps),
    duty: new DutyService(deps),
    exercises: new ExerciseService(deps),
    readiness,
    inspections,
    inspectionViews: new InspectionViews(deps),
    advisories,
    anchors,
    deliveries: new DeliveryService(deps),
    jobHandlers: () => ({
      ...meetings.jobHandlers(),
      ...readiness.jobHandlers(),
      [CAMPAIGN_REMINDER_JOB]: inspections.remindJob,
      ...advisories.jobHandlers(),
      ...anchors.jobHandlers(),
      ...incidents.jobHandlers(),
    }),
  };
}
