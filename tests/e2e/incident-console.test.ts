/**
 * The real bot on stdin, one user per process, sequential processes on one SQLite file:
 * the admin registers two ministries' PoCs; maff's PoC reports with two defanged indicators;
 * mof's PoC reports one of them and NISC's channel gets exactly one correlation alert.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { freshDbUrl } from '../helpers/console.ts';
import { runConsoleApp as runBot } from '../helpers/console-app.ts';

test('console: a ministry PoC reports, NISC is told, show has the timeline; a second ministry triggers one correlation alert', async () => {
  const DATABASE_URL = await freshDbUrl();
  const fy = fiscalYearOf(new Date());
  const setup = await runBot(
    '/csirt poc add console:sato org=maff role=poc primary=yes\n/csirt poc add console:kim org=mof role=poc primary=yes\n',
    { DATABASE_URL },
  );
  assert.equal(setup.code, 0, setup.stdout + setup.stderr);

  const sato = await runBot(
    [
      '/csirt report category=標的型メール summary="職員宛に不審な添付ファイル付きメール" severity=high ioc=hxxp://malicious[.]example[.]com/payload ioc=203[.]0[.]113[.]45',
      `/csirt incident show INC-${fy}-0001`,
      '',
    ].join('\n'),
    { DATABASE_URL, CONSOLE_USER: 'sato' },
  );
  assert.equal(sato.code, 0, sato.stdout + sato.stderr);
  const out = sato.stdout;
  assert.match(out, new RegExp(`インシデントを INC-${fy}-0001 として受け付けました（速報）`));
  const reply = out.indexOf(`INC-${fy}-0001 として受け付けました`);
  const nisc = out.indexOf(`[#nisc] ■ 【速報】インシデント報告 INC-${fy}-0001`);
  assert.ok(nisc > reply, `NISC's channel line follows the reply:\n${out}`);
  assert.match(out, /\[#maff\] ■ 【速報】インシデント報告/);
  assert.match(out, /hxxp:\/\/malicious\[\.\]example\[\.\]com\/payload/);
  assert.match(out, /203\.0\.113\[\.\]45/);
  assert.doesNotMatch(out, /http:\/\/malicious\.example/);
  assert.match(out, /■ 経過/);
  assert.match(out, /console:sato\s+報告を受け付けました（速報、maff、指標 2 件）/);

  const kim = await runBot('/csirt report category=malware summary="不審な通信を検知" ioc=203.0.113.45\n', {
    DATABASE_URL,
    CONSOLE_USER: 'kim',
  });
  assert.equal(kim.code, 0, kim.stdout + kim.stderr);
  assert.match(kim.stdout, new RegExp(`INC-${fy}-0002`));
  const alerts = kim.stdout.split('\n').filter((l) => l.startsWith('[#nisc] ■ 【相関】'));
  assert.equal(alerts.length, 1, kim.stdout);
  assert.match(kim.stdout, new RegExp(`該当インシデント: INC-${fy}-0001 \\(maff\\), INC-${fy}-0002 \\(mof\\)`));
  assert.doesNotMatch(kim.stdout, /\[#maff\]/, "maff's channel hears nothing of mof's report");
});
