/**
 * Reads written in raw SQL for speed (issue 19) must return what the model API would: the same
 * columns, the same values, the same JavaScript types. `coordinatingOrg` is typed as the whole
 * `Organization` row but lists its columns by hand: a column added to the model and not to the
 * statement would be `undefined` at run time while the type says it is there. The caller lookup
 * (`DirectoryService.caller`, one LEFT JOIN) must agree with the model API's three reads for every
 * kind of person: with roles, with none, of the coordinating organisation, of a ministry, unknown.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { isRole } from '../../src/core/roles.ts';
import { effectiveRoles } from '../../src/domain/sharing.ts';
import { coordinatingOrg, coordinatingOrgInTx } from '../../src/services/coordinating-org.ts';
import { type TestApp, testApp } from '../helpers/app.ts';
import { PERSONAS, registerPersonas } from '../helpers/personas.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await registerPersonas(t);
});
afterAll(() => t.close());

const model = () => t.app.db.prisma.organization.findFirst({ where: { coordinator: true }, orderBy: { id: 'asc' } });

test('coordinatingOrg: every column of the model row, with its value and type, outside and inside a transaction', async () => {
  const check = async () => {
    const want = await model();
    assert.ok(want);
    const outside = await coordinatingOrg(t.app.db.prisma);
    const inside = await t.app.db.tx(async (tx) => [await coordinatingOrg(tx), await coordinatingOrgInTx(tx)]);
    for (const got of [outside, ...inside]) {
      assert.ok(got);
      assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), 'the same columns');
      const g = got as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(want)) {
        assert.equal(typeof g[k], typeof v, `${k}: same type`);
        assert.equal(g[k] instanceof Date, v instanceof Date, `${k}: Date or not`);
      }
      assert.deepEqual(got, want);
    }
  };
  await check(); // as shipped: no e-mail address
  const want = await model();
  assert.ok(want);
  await t.app.db.prisma.organization.update({
    where: { id: want.id },
    data: { email: 'soc@example.go.jp', shortNames: '["統括室","ＮＣＯ"]' },
  });
  await check();
});

test('the caller lookup agrees with the model API for every persona', async () => {
  const identities = [...Object.values(PERSONAS), 'console:nobody-at-all'];
  for (const identity of identities) {
    const got = await t.app.services.directory.caller(identity, null, null, 'ja');
    const p = await t.app.db.prisma.person.findUnique({
      where: { identity },
      include: { roles: { orderBy: { id: 'asc' } }, org: true },
    });
    if (!p) {
      assert.equal(got.personId, null, identity);
      assert.equal(got.org, null, identity);
      assert.deepEqual([...got.roles], [], identity);
      continue;
    }
    assert.equal(got.personId, p.id, identity);
    assert.equal(typeof got.personId, 'number', identity);
    const roles = effectiveRoles(p.roles.map((r) => r.role).filter(isRole), !!p.org?.coordinator);
    assert.deepEqual([...got.roles].sort(), [...roles].sort(), identity);
    assert.deepEqual(
      got.org,
      p.org
        ? { id: p.org.id, code: p.org.code, nameJa: p.org.nameJa, nameEn: p.org.nameEn, coordinator: p.org.coordinator }
        : null,
      identity,
    );
    if (got.org) assert.equal(typeof got.org.coordinator, 'boolean', identity);
  }
});
