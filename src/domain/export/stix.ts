/** TEMPORARY stand-in for main's STIX export; dropped in favour of main's version on merge. */
import type { IncidentExport } from './incident-export.ts';

export function toStixBundle(e: IncidentExport): Record<string, unknown> {
  return {
    type: 'bundle',
    id: `bundle--${e.id}`,
    objects: [
      { type: 'incident', spec_version: '2.1', name: e.id, description: e.summary },
      ...e.indicators.map((i) => ({
        type: 'indicator',
        spec_version: '2.1',
        pattern: `[${i.type}:value = '${i.value}']`,
      })),
    ],
  };
}
