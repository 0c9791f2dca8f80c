/** Every service, built once by the composition root and handed to handlers as ctx.services. */
import type { JobHandler } from '../scheduler/scheduler.ts';
import type { ServiceDeps } from './context.ts';
import { DirectoryService } from './directory.ts';
import { MeetingService } from './meetings.ts';
import { ReadinessService } from './readiness.ts';

export interface Services {
  deps: ServiceDeps;
  directory: DirectoryService;
  meetings: MeetingService;
  readiness: ReadinessService;
  /** every scheduler job kind the services handle; app.ts registers them on the scheduler */
  jobHandlers(): Record<string, JobHandler>;
}

export function createServices(deps: ServiceDeps): Services {
  const meetings = new MeetingService(deps);
  const readiness = new ReadinessService(deps);
  return {
    deps,
    directory: new DirectoryService(deps),
    meetings,
    readiness,
    jobHandlers: () => ({ ...meetings.jobHandlers(), ...readiness.jobHandlers() }),
  };
}
