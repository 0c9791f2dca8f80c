/** TEMPORARY stand-in for main's MISP export; dropped in favour of main's version on merge. */
import type { IncidentExport } from './incident-export.ts';

export function toMispEvent(e: IncidentExport): Record<string, unknown> {
  return {
    Event: {
      info: `${e.id} ${e.summary}`,
      Tag: [{ name: `tlp:${e.tlp}` }, { name: `rsit:${e.rsit.class}="${e.rsit.type}"` }],
      Attribute: e.indicators.map((i) => ({ type: i.type, value: i.value })),
    },
  };
}
