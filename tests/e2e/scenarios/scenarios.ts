/** The scenarios that behave the same on every platform, written once (run by platforms.test.ts). */
import assert from 'node:assert/strict';
import { type Driver, domainCounts, until } from './driver.ts';

export interface Scenario {
  name: string;
  run(d: Driver): Promise<void>;
}

const REFUSED = /not allowed|権限/;

export const scenarios: Scenario[] = [
  {
    name: 'help answers a Japanese speaker in Japanese, by the English name or the alias',
    async run(d) {
      assert.match(await d.run('taro', 'help'), /コマンド/);
      assert.match(await d.run('taro', 'ヘルプ'), /コマンド/);
    },
  },
  {
    name: "the admin sets an organisation's channel, and a post reaches it",
    async run(d) {
      assert.match(await d.run('admin', `org set maff channel=${d.channelRef('maff-csirt')}`), /maff-csirt/);
      const text = `Scenario notice ${d.name} @here`;
      await d.run('admin', `qa notify org=maff text="${text}"`);
      await until(d.app, async () => (await d.channelPosts('maff-csirt')).some((p) => p.includes(text)));
    },
  },
  {
    name: 'a forbidden command is refused and writes nothing',
    async run(d) {
      const before = await domainCounts(d.app);
      assert.match(await d.run('stranger', 'org add qq ja="キュー" en="Q"'), REFUSED);
      assert.deepEqual(await domainCounts(d.app), before);
      assert.equal(await d.app.db.prisma.organization.count({ where: { code: 'qq' } }), 0);
    },
  },
  {
    name: 'a button click runs as the clicker: refused for a stranger, done for the admin',
    async run(d) {
      await d.run('admin', 'qa buttons');
      assert.deepEqual(d.buttons(), ['Add org zz', 'Help']);
      const before = await domainCounts(d.app);
      assert.match(await d.click('stranger', 'Add org zz'), REFUSED);
      assert.deepEqual(await domainCounts(d.app), before);
      await d.click('admin', 'Add org zz');
      const rec = await d.app.db.prisma.auditRecord.findFirst({ where: { action: 'org.add', subject: 'zz' } });
      assert.equal(rec?.actor, d.identity('admin'));
    },
  },
];
