/**
 * TEMPORARY stand-in for main's src/domain/export/incident-export.ts (being written by another
 * engineer); dropped in favour of main's version on merge.
 */
export interface IncidentExport {
  id: string;
  summary: string;
  category: string;
  rsit: { class: string; type: string };
  severity: string;
  tlp: string;
  status: string;
  createdAt: Date;
  detectedAt: Date;
  occurredAt: Date | null;
  /** null when the reporter did not consent to being named */
  org: { code: string; name: string } | null;
  indicators: { type: string; value: string }[];
}
