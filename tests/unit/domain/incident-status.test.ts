import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  checkTransition,
  FINAL,
  type IncidentStatus,
  nextStatuses,
  STATUSES,
  type StatusActor,
  TRANSITIONS,
} from '../../../src/domain/incident-status.ts';

const NISC = new Set<StatusActor>(['coordinator']);
const REPORTER = new Set<StatusActor>(['reporter']);
const NOBODY = new Set<StatusActor>();

test('NISC triages, rejects and closes; the reporter contains and resolves', () => {
  assert.deepEqual(checkTransition('reported', 'triaging', NISC), { ok: true });
  assert.deepEqual(checkTransition('reported', 'triaging', REPORTER), {
    ok: false,
    code: 'incident.transition_forbidden',
  });
  assert.deepEqual(checkTransition('triaging', 'contained', REPORTER), { ok: true });
  assert.deepEqual(checkTransition('contained', 'resolved', REPORTER), { ok: true });
  assert.deepEqual(checkTransition('resolved', 'closed', REPORTER), {
    ok: false,
    code: 'incident.transition_forbidden',
  });
  assert.deepEqual(checkTransition('resolved', 'closed', NISC), { ok: true });
  assert.deepEqual(checkTransition('triaging', 'rejected', NISC), { ok: true });
  assert.deepEqual(checkTransition('contained', 'rejected', NISC), { ok: false, code: 'incident.bad_transition' });
  assert.deepEqual(checkTransition('reported', 'closed', NISC), { ok: false, code: 'incident.bad_transition' });
});

test('closed and rejected are final; every other status can move on; nobody may move without a part', () => {
  for (const s of STATUSES) {
    assert.equal(nextStatuses(s).length === 0, (FINAL as readonly string[]).includes(s), s);
    for (const to of STATUSES) assert.equal(checkTransition(s, to as IncidentStatus, NOBODY).ok, false);
  }
  for (const tr of TRANSITIONS) assert.ok(tr.by.length > 0 && tr.from.length > 0);
});
