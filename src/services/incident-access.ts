/**
 * Who sees and changes which incident (docs/incidents.md):
 * - NISC roles (admin, coordinator, approver) see every incident;
 * - anyone else sees only their own organisation's incidents; another organisation's id
 *   answers exactly like an id that does not exist (`incident.not_found`);
 * - admin and coordinator handle every incident (triage, reject, close, notes, indicators);
 * - a poc handles their own organisation's incidents (containment, resolution, notes,
 *   indicators, severity, share consent).
 */
import type { Caller } from '../core/command.ts';
import type { StatusActor } from '../domain/incident-status.ts';
import type { ChangeBy } from '../domain/report-stages.ts';
import { seesEveryOrg, seesOrg } from '../domain/sharing.ts';

export function seesAll(c: Caller): boolean {
  return seesEveryOrg(c);
}

export function isHandler(c: Caller): boolean {
  return c.roles.has('admin') || c.roles.has('coordinator');
}

export function sees(c: Caller, orgId: number): boolean {
  return seesOrg(c, orgId);
}

/** What the caller counts as for the status workflow of an incident of `orgId`. */
export function actorsFor(c: Caller, orgId: number): Set<StatusActor> {
  const s = new Set<StatusActor>();
  if (isHandler(c)) s.add('coordinator');
  if (c.roles.has('poc') && c.org?.id === orgId) s.add('reporter');
  return s;
}

/**
 * Whether a change is the reporting organisation's own (a 続報 or 確報) or someone else's (a
 * note): its PoC, or a handler who belongs to it (the coordinating office reporting its own).
 */
export function changeBy(c: Caller, orgId: number): ChangeBy {
  return c.org?.id === orgId && (c.roles.has('poc') || isHandler(c)) ? 'reporting-org' : 'other';
}
