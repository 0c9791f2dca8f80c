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
  {
    name: 'a PoC reports against a registered system, the id typed in any case or full-width',
    async run(d) {
      await d.run('admin', `poc add ${d.userRef('taro')} org=maff role=poc`);
      const added = await d.run('taro', 'system add name="電子申請システム" confidentiality=2 exposure=internet');
      const id = /SYS-maff-\d{3}/.exec(added)?.[0];
      assert.ok(id, added);
      // as registered, upper-cased (as the check used to store it), lower-cased, full-width with a long dash
      const typed = [
        id,
        id.toUpperCase(),
        id.toLowerCase(),
        'ＳＹＳ－ｍａｆｆ－' + id.slice(-3).replace(/\d/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
      ];
      for (const sys of typed) {
        const r = await d.run('taro', `report category=malware summary="端末の感染（${d.name}）" system=${sys}`);
        const inc = /INC-\d{4}-\d{4}/.exec(r)?.[0];
        assert.ok(inc, `${sys}: ${r}`);
        const row = await d.app.db.prisma.incident.findUniqueOrThrow({ where: { id: inc } });
        assert.equal(row.systemId, id, sys);
      }
      // another organisation's system, or none, is refused and writes nothing
      const before = await domainCounts(d.app);
      assert.match(await d.run('taro', 'report category=malware summary=x system=SYS-mof-001'), /SYS-mof-001/);
      assert.deepEqual(await domainCounts(d.app), before);
    },
  },
];
