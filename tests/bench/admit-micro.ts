/**
 * In-process micro-benchmark of the acknowledgement's database work (src/inbox/journal.ts
 * `admit`: the request's keys recorded as seen and its journal entry, one commit before Slack is
 * answered): N admissions in bursts of k arriving in the same turn, as a burst of requests read
 * in one go; CPU and wall time per admission and per burst.
 *
 *   node --import tsx tests/bench/admit-micro.ts [n=2000] [--bursts=1,4,16]
 *
 * SQLite by default; TEST_PROVIDER=postgresql TEST_PG_URL=… for PostgreSQL.
 */
import pino from 'pino';
import { CommandJournal } from '../../src/inbox/journal.ts';
import { SeenRequests } from '../../src/services/seen-requests.ts';
import { testApp } from '../helpers/app.ts';

const args = process.argv.slice(2);
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 2000);
const bursts = (args.find((a) => a.startsWith('--bursts='))?.slice(9) ?? '1,4,16').split(',').map(Number);

const t = await testApp();
const db = t.app.db;
const seen = new SeenRequests(db, t.clock);
const journal = new CommandJournal(db, t.clock, pino({ level: 'silent' }), { workerId: 'micro', claimTtlMs: 60_000 });
const expiresAt = new Date(Date.now() + 3_600_000);
let k = 0;
const admit = () => {
  const i = ++k;
  const key = `slack:trigger:micro-${i}`;
  return journal.admit(
    seen,
    [
      { key: `slack:sig:v0=${i.toString(16).padStart(64, '0')}`, expiresAt },
      { key, expiresAt },
    ],
    { key, platform: 'slack', payload: { command: '/csirt', text: `report category=malware summary="micro ${i}"` } },
  );
};
for (let i = 0; i < 200; i++) await admit(); // warm up

for (const burst of bursts) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const walls: number[] = [];
  for (let done = 0; done < n; done += burst) {
    const b0 = performance.now();
    await Promise.all(Array.from({ length: burst }, admit));
    walls.push(performance.now() - b0);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  walls.sort((a, b) => a - b);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({
      provider: process.env.TEST_PROVIDER ?? 'sqlite',
      burst,
      n,
      cpuMsPerAdmit: r2((cpu.user + cpu.system) / 1000 / n),
      wallMsPerAdmit: r2(ms / n),
      burstP50Ms: r2(walls[Math.floor(walls.length / 2)] ?? 0),
      burstP99Ms: r2(walls[Math.floor(walls.length * 0.99)] ?? 0),
    })}\n`,
  );
}
await t.close();
process.exit(0);
