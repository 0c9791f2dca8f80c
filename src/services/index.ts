/** Every service, built once by the composition root and handed to handlers as ctx.services. */
import type { ServiceDeps } from './context.ts';
import { DirectoryService } from './directory.ts';
import { InspectionViews } from './inspection-views.ts';
import { InspectionService } from './inspections.ts';
import { SeenRequests } from './seen-requests.ts';
import { SettingsService } from './settings.ts';

export interface Services {
  deps: ServiceDeps;
  directory: DirectoryService;
  settings: SettingsService;
  seenRequests: SeenRequests;
  inspections: InspectionService;
  inspectionViews: InspectionViews;
}

export function createServices(deps: ServiceDeps): Services {
  return {
    deps,
    directory: new DirectoryService(deps),
    settings: new SettingsService(deps.db),
    seenRequests: new SeenRequests(deps.db, deps.clock),
    inspections: new InspectionService(deps),
    inspectionViews: new InspectionViews(deps),
  };
}
