/** Every service, built once by the composition root and handed to handlers as ctx.services. */
import type { ServiceDeps } from './context.ts';
import { DirectoryService } from './directory.ts';
import { InspectionViews } from './inspection-views.ts';
import { InspectionService } from './inspections.ts';

export interface Services {
  deps: ServiceDeps;
  directory: DirectoryService;
  inspections: InspectionService;
  inspectionViews: InspectionViews;
}

export function createServices(deps: ServiceDeps): Services {
  return {
    deps,
    directory: new DirectoryService(deps),
    inspections: new InspectionService(deps),
    inspectionViews: new InspectionViews(deps),
  };
}
