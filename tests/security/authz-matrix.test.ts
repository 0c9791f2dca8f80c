/**
 * Every command × every role: allowed or denied exactly as the registry declares, and a denial
 * writes nothing (audit count and every table's row count unchanged).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { groups } from '../../commands/index.ts';
import type { Role } from '../../src/core/roles.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { PERSONAS, type Persona, registerPersonas } from '../helpers/personas.ts';

const ROLES_OF: Record<Persona, Role[] | null> = {
  admin: ['admin'],
  coordinator: ['coordinator'],
  approver: ['approver'],
  poc: ['poc'],
  otherPoc: ['poc'],
  ciso: ['ciso'],
  stranger: null,
};

let t: TestApp;
before(async () => {
  t = await testApp();
  await registerPersonas(t);
});
after(() => t.close());

test('authorisation matrix: every command as every role on the console entry', async () => {
  let checked = 0;
  let denials = 0;
  for (const g of groups) {
    for (const c of g.commands) {
      for (const persona of Object.keys(PERSONAS) as Persona[]) {
        const roles = ROLES_OF[persona];
        const expected =
          c.access === 'anyone'
            ? true
            : c.access === 'registered'
              ? roles !== null
              : !!roles && (roles.includes('admin') || c.access.some((r) => roles.includes(r)));
        const text = c.name ? `${g.name} ${c.name}` : g.name;
        const before = expected ? null : { audit: await t.auditCount(), tables: await tableCounts(t.app) };
        const o = await t.run(PERSONAS[persona], text);
        checked++;
        if (expected) {
          assert.notEqual(o.status, 'denied', `${text} as ${persona} should be allowed`);
        } else {
          denials++;
          assert.equal(o.status, 'denied', `${text} as ${persona} should be denied (got ${o.status})`);
          assert.equal(await t.auditCount(), before?.audit, `${text} as ${persona}: audit unchanged`);
          assert.deepEqual(await tableCounts(t.app), before?.tables, `${text} as ${persona}: tables unchanged`);
        }
      }
    }
  }
  const commands = groups.reduce((n, g) => n + g.commands.length, 0);
  console.log(
    `authorisation matrix (console): ${commands} commands × ${Object.keys(PERSONAS).length} roles = ${checked} checked; ${denials} denials verified to write nothing`,
  );
  assert.ok(denials > 0);
});
