/**
 * coordinatorWithChannels (src/services/coordinating-org.ts) reads in one statement what a report
 * batch read in two: the coordinating organisation (as coordinatingOrg reads it) and the channels
 * of it and of the batch's organisations. Against that oracle, on random directories (none, one
 * or several organisations marked coordinator, with and without channels): each run in a
 * transaction that is rolled back.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import type { Tx } from '../../src/db/client.ts';
import { coordinatingOrg, coordinatingOrgInTx, coordinatorWithChannels } from '../../src/services/coordinating-org.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

class Rollback extends Error {}
const PLATFORMS = ['slack', 'mattermost', 'console'];

test(`coordinatorWithChannels reads what coordinatingOrg and the OrgChannel read give (${PROVIDER}, property)`, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.array(
        fc.record({
          coordinator: fc.boolean(),
          channels: fc.subarray(PLATFORMS),
          asked: fc.boolean(),
        }),
        { minLength: 1, maxLength: 6 },
      ),
      fc.boolean(),
      fc.subarray(PLATFORMS),
      async (orgs, keepExisting, platforms) => {
        run++;
        const db = t.app.db;
        await db
          .tx(async (tx: Tx) => {
            // the directory's own coordinator kept, or none but those made here
            if (!keepExisting) await db.execute(tx, 'UPDATE "Organization" SET "coordinator" = ?', false);
            const ids: number[] = [];
            for (const [i, o] of orgs.entries()) {
              const made = await tx.organization.create({
                data: {
                  code: `cwc${run}x${i}`,
                  nameJa: `組織${run}-${i}`,
                  nameEn: `Org ${run}-${i}`,
                  coordinator: o.coordinator,
                  shortNames: JSON.stringify([`略${i}`]),
                },
              });
              for (const p of o.channels)
                await tx.orgChannel.create({ data: { orgId: made.id, platform: p, channelId: `C${run}x${i}${p}` } });
              if (o.asked) ids.push(made.id);
            }
            const got = await coordinatorWithChannels(db, tx, ids, platforms);
            // the oracle: the two reads the batch made before
            const coord = await coordinatingOrg(tx);
            assert.deepEqual(got.coord, coord ? { id: coord.id, code: coord.code } : null);
            const want = [...new Set([...ids, ...(coord ? [coord.id] : [])])];
            const channels =
              platforms.length === 0
                ? []
                : await tx.orgChannel.findMany({ where: { orgId: { in: want }, platform: { in: platforms } } });
            const key = (c: { orgId: number | bigint; platform: string; channelId: string }) =>
              `${Number(c.orgId)}:${c.platform}:${c.channelId}`;
            assert.deepEqual(got.channels.map(key).sort(), channels.map(key).sort());
            // the transaction's later reads of the coordinator (the names its posts say) get the same
            const later = await coordinatingOrgInTx(tx);
            assert.deepEqual(
              later && { ...later, createdAt: new Date(later.createdAt).getTime() },
              coord && { ...coord, createdAt: new Date(coord.createdAt).getTime() },
            );
            throw new Rollback();
          })
          .catch((e) => {
            if (!(e instanceof Rollback)) throw e;
          });
      },
    ),
    { numRuns: 25 },
  );
});
