/** Every service, built once by the composition root and handed to handlers as ctx.services. */
import type { ServiceDeps } from './context.ts';
import { DirectoryService } from './directory.ts';
import { IncidentQueries } from './incident-queries.ts';
import { IncidentService } from './incidents.ts';

export interface Services {
  deps: ServiceDeps;
  directory: DirectoryService;
  incidents: IncidentService;
  incidentQueries: IncidentQueries;
}

export function createServices(deps: ServiceDeps): Services {
  return {
    deps,
    directory: new DirectoryService(deps),
    incidents: new IncidentService(deps),
    incidentQueries: new IncidentQueries(deps),
  };
}
