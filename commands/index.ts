/** The explicit, ordered list of command groups the router reads (no scanning the disk). */
import { advisoryGroup } from './advisory.ts';
import { auditGroup } from './audit.ts';
import { checkGroup } from './check.ts';
import { csirtGroup } from './csirt.ts';
import { dashboardGroup } from './dashboard.ts';
import { deliveryGroup } from './delivery.ts';
import { drillGroup } from './drill.ts';
import { dutyGroup } from './duty.ts';
import { exerciseGroup } from './exercise.ts';
import { helpGroup } from './help.ts';
import { incidentGroup } from './incident.ts';
import { iocGroup } from './ioc.ts';
import { langGroup } from './lang.ts';
import { meetingGroup } from './meeting.ts';
import { orgGroup } from './org.ts';
import { personGroup } from './person.ts';
import { pocGroup } from './poc.ts';
import { reportGroup } from './report.ts';
import { systemGroup } from './system.ts';
import type { Group } from './types.ts';

export const groups: readonly Group[] = [];
const all: Group[] = [
  helpGroup(() => groups),
  langGroup,
  reportGroup,
  incidentGroup,
  iocGroup,
  advisoryGroup,
  meetingGroup,
  drillGroup,
  dutyGroup,
  exerciseGroup,
  csirtGroup,
  checkGroup,
  systemGroup,
  orgGroup,
  pocGroup,
  personGroup,
  auditGroup,
  deliveryGroup,
  dashboardGroup,
];
(groups as Group[]).push(...all);
