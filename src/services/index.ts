/** Every service, built once by the composition root and handed to handlers as ctx.services. */
import { AdvisoryService } from './advisories.ts';
import type { ServiceDeps } from './context.ts';
import { DirectoryService } from './directory.ts';

export interface Services {
  deps: ServiceDeps;
  directory: DirectoryService;
  advisories: AdvisoryService;
}

export function createServices(deps: ServiceDeps): Services {
  return { deps, directory: new DirectoryService(deps), advisories: new AdvisoryService(deps) };
}
