/**
 * Every command × every role × every platform entry (tests/security/drivers.ts: the console,
 * signed Slack requests to the running bot; Mattermost is one more driver there): allowed or
 * denied exactly as the registry declares, and a denial writes nothing (audit count and every
 * table's row count unchanged).
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { groups } from '../../commands/index.ts';
import type { Access, Role } from '../../src/core/roles.ts';
import { PROVIDER } from '../helpers/app.ts';
import type { Persona } from '../helpers/personas.ts';
import { DRIVERS, PERSONA_NAMES } from './drivers.ts';

const ROLES_OF: Record<Persona, Role[] | null> = {
  admin: ['admin'],
  coordinator: ['coordinator'],
  approver: ['approver'],
  poc: ['poc'],
  otherPoc: ['poc'],
  ciso: ['ciso'],
  former: [],
  stranger: null,
};

/** What the registry declares, recomputed here (not through roles.ts's allowed()). */
function expectAllowed(access: Access, roles: Role[] | null): boolean {
  if (access === 'anyone') return true;
  if (access === 'person') return roles !== null;
  if (access === 'registered') return roles !== null && roles.length > 0;
  return !!roles && (roles.includes('admin') || access.some((r) => roles.includes(r)));
}

const totals = { checked: 0, denials: 0, platforms: [] as string[] };
const commands = groups.reduce((n, g) => n + g.commands.length, 0);

for (const driver of DRIVERS) {
  test(`authorisation matrix: every command as every role on ${driver.platform}`, async () => {
    const e = await driver.start({ RATE_LIMIT_PER_MINUTE: '100000' });
    try {
      let checked = 0;
      let denials = 0;
      for (const g of groups) {
        for (const c of g.commands) {
          for (const persona of PERSONA_NAMES) {
            const expected = expectAllowed(c.access, ROLES_OF[persona]);
            const text = c.name ? `${g.name} ${c.name}` : g.name;
            const before = expected ? null : await e.snapshot();
            const { outcome } = await e.run(persona, text);
            checked++;
            const where = `${driver.platform}: ${text} as ${persona}`;
            if (expected) {
              assert.notEqual(outcome?.status, 'denied', `${where} should be allowed`);
              assert.notEqual(outcome?.status, 'error', `${where}: ${JSON.stringify(outcome?.reply)}`);
            } else {
              denials++;
              assert.equal(outcome?.status, 'denied', `${where} should be denied (got ${outcome?.status})`);
              assert.equal(outcome?.code, 'auth.forbidden', where);
              assert.deepEqual(await e.snapshot(), before, `${where}: audit and every table unchanged`);
            }
          }
        }
      }
      assert.equal(checked, commands * PERSONA_NAMES.length);
      assert.ok(denials > 0);
      // the command journal (left out of the snapshots) keeps nothing once the work has ended
      for (let i = 0; (await e.app.db.prisma.pendingCommand.count()) > 0; i++) {
        assert.ok(i < 100, `${driver.platform}: journal entries left behind`);
        await new Promise((r) => setTimeout(r, 50));
      }
      totals.checked += checked;
      totals.denials += denials;
      totals.platforms.push(driver.platform);
      console.log(
        `authorisation matrix (${driver.platform}): ${commands} commands × ${PERSONA_NAMES.length} roles = ${checked} checked; ${denials} denials verified to write nothing`,
      );
    } finally {
      await e.close();
    }
  });
}

test('authorisation matrix summary', () => {
  console.log(
    `authorisation matrix: ${commands} commands × ${PERSONA_NAMES.length} roles × ${totals.platforms.length} platforms (${totals.platforms.join(', ')}) = ${totals.checked} checked; ${totals.denials} denials verified to write nothing (audit + every table) on ${PROVIDER}`,
  );
  assert.equal(totals.platforms.length, DRIVERS.length, 'every driver ran');
});
