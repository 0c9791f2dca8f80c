/**
 * Issue 15's model-based test: random sequences of report, share/TLP changes (also one that
 * bypasses the services, as a forgotten code path or a hand edit would), draft, submit,
 * consent, decline, approve, withdraw, role grants and revocations, channel changes, held and
 * released deliveries, and reads (`incident show/list`, `ioc check`, `advisory status`,
 * `meeting list`, `org show`, `check status`) by random people, through the router of an
 * in-process app on the memory platform — checked step by step against the model and oracle of
 * tests/helpers/sharing-model/model.ts. No reply and no delivery may break the oracle; every
 * command's outcome and every advisory's state must be the one the model predicts.
 *
 * Runs: fast-check's command/model API (`asyncModelRun`), fixed seed, 20 runs of 31–36 steps (200 in `npm run test:deep`)
 * on SQLite and on PostgreSQL (npm test runs the file on both); one database per provider, its
 * state reset between runs. Another seed or size: SHARING_MODEL_SEED=…, SHARING_MODEL_RUNS=…
 * (README, "Test").
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, test } from 'vitest';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { replyToText } from '../../src/core/reply.ts';
import type { Outcome } from '../../src/core/router.ts';
import type { Tx } from '../../src/db/client.ts';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { PROVIDER, type TestApp, testApp } from '../helpers/app.ts';
import { COORD_ORG } from '../helpers/coordinating.ts';
import {
  type Advisory,
  type Incident,
  MINISTRIES,
  Model,
  ORG_NAMES_JA,
  PEOPLE,
  PERSON_KEYS,
  type PersonKey,
  type Role,
  rank,
  SHARES,
  type Share,
  TLPS,
  type Tlp,
} from '../helpers/sharing-model/model.ts';

const SEED = Number(process.env.SHARING_MODEL_SEED ?? 151515);
// the everyday size; npm run test:deep runs 200 (scripts/test-files.mjs DEEP_ENV)
const RUNS = Number(process.env.SHARING_MODEL_RUNS ?? 20);
const NOW = '2026-11-25T01:00:00Z';
const FY = fiscalYearOf(new Date(NOW));
const IPS = ['203.0.113.7', '198.51.100.9', '192.0.2.44'];
const MEETING = 'MTGMARK';

interface Real {
  t: TestApp;
  /** posts already checked */
  seen: number;
  log: string[];
}

let t: TestApp;
let shmDir: string | null = null;
let allOrgs: string[] = [];
const stats = {
  runs: 0,
  steps: 0,
  delivered: 0,
  copies: 0,
  withheld: 0,
  /** back to consent: after a change told to the advisories, and at approval or delivery (a change not told) */
  reconsent: 0,
  caught: 0,
  /** steps of the shortest run */
  fewest: Number.POSITIVE_INFINITY,
  statuses: new Map<string, number>(),
  outcomes: new Map<string, number>(),
};

beforeAll(async () => {
  // SQLite in memory-backed files where the machine has them: the runs are thousands of commits
  const url = PROVIDER === 'sqlite' && existsSync('/dev/shm') ? shmUrl() : undefined;
  t = await testApp({ now: NOW, url, env: { RATE_LIMIT_PER_MINUTE: '100000' } });
  await t.app.dispatcher.stop();
  allOrgs = (await t.app.db.prisma.organization.findMany({ orderBy: { id: 'asc' } })).map((o) => o.code);
});
afterAll(async () => {
  await t?.close();
  if (shmDir) rmSync(shmDir, { recursive: true, force: true });
});

function shmUrl(): string {
  shmDir = mkdtempSync(join('/dev/shm', 'csirt-model-'));
  return `file:${join(shmDir, 'model.db')}`;
}

/** Back to the start of a run: the directory as shipped, the model's people, one meeting for maff. */
async function reset(): Promise<void> {
  const t0 = performance.now();
  await t.app.dispatcher.stop();
  await t.app.db.tx((p) => resetIn(p));
  t.platform.posts.length = 0;
  const e = TIMES.get('reset') ?? [0, 0, 0];
  TIMES.set('reset', [e[0] + 1, e[1] + performance.now() - t0, 0]);
}

async function resetIn(p: Tx): Promise<void> {
  for (const m of [
    p.advisoryAck,
    p.advisorySource,
    p.advisory,
    p.incidentIndicator,
    p.indicator,
    p.incidentEvent,
    p.incident,
    p.delivery,
    p.job,
    p.meetingRsvp,
    p.meeting,
    p.checkAnswer,
    p.campaign,
    p.system,
    p.csirtReadiness,
    p.orgChannel,
    p.counter,
    p.seenRequest,
    p.pendingCommand,
  ] as { deleteMany(a?: object): Promise<unknown> }[])
    await m.deleteMany({});
  await p.roleGrant.deleteMany({ where: { person: { identity: { not: PEOPLE.admin.id } } } });
  await p.person.deleteMany({ where: { identity: { not: PEOPLE.admin.id } } });
  const orgs = await p.organization.findMany();
  for (const k of PERSON_KEYS) {
    if (k === 'admin') continue;
    const org = orgs.find((o) => o.code === PEOPLE[k].org);
    await p.person.create({
      data: {
        identity: PEOPLE[k].id,
        orgId: org?.id ?? null,
        calendarToken: `tok-${k}-${Math.random().toString(36).slice(2)}`,
        roles: { create: PEOPLE[k].roles.map((role) => ({ role })) },
      },
    });
  }
  const c1 = await p.person.findUniqueOrThrow({ where: { identity: PEOPLE.c1.id } });
  await p.meeting.create({
    data: {
      id: `MTG-${FY}-0001`,
      fiscalYear: FY,
      title: `${MEETING} 窓口担当者会議`,
      startAt: new Date('2027-01-12T01:00:00Z'),
      durationMin: 90,
      invite: 'maff',
      reminders: '',
      status: 'scheduled',
      createdBy: c1.id,
      updatedAt: new Date(NOW),
    },
  });
}

async function exec(real: Real, who: PersonKey, text: string): Promise<Outcome> {
  const o = await real.t.app.router.handle({
    platform: 'console',
    identity: PEOPLE[who].id,
    text,
    channelId: null,
    refs: consoleRefs,
    unlimited: true,
  });
  real.log.push(`${who}> ${text}\n  ${o.status}${o.code ? ` ${o.code}` : ''}`);
  const kind = o.code ? `${o.status}:${o.code}` : o.status;
  stats.outcomes.set(kind, (stats.outcomes.get(kind) ?? 0) + 1);
  assert.notEqual(o.status, 'error', `internal error on "${text}" as ${who}:\n${replyToText(o.reply)}`);
  return o;
}

// ── the oracle on replies ────────────────────────────────────────────────────

/** `typed`: what the person wrote (a reply may repeat an id they typed: that tells them nothing). */
async function checkReply(m: Model, who: PersonKey, o: Outcome, typed: string): Promise<void> {
  const text = replyToText(o.reply);
  const where = `reply to ${who}`;
  for (const i of m.incidents) {
    if (!m.seesOrg(who, i.org))
      assert.ok(!text.includes(`SUM-${i.n}-END`), `${where} shows ${i.id}'s summary:\n${text}`);
    const named = i.share === 'attributed' && i.tlp !== 'red';
    if (!m.seesOrg(who, i.org) && !named && !typed.includes(i.id))
      assert.ok(!text.includes(i.id), `${where} names ${i.id}:\n${text}`);
  }
  for (const a of m.advisories) {
    if (!m.mayReadAdvisory(who, a))
      for (const mark of [`BODY-${a.n}-END`, `TITLE-${a.n}-END`])
        assert.ok(!text.includes(mark), `${where} shows ${a.id} (${mark}):\n${text}`);
  }
  for (const k of PERSON_KEYS) {
    // the coordinating organisation's staff act on everyone's reports: they are named to members
    if (k === who || m.seesOrg(who, PEOPLE[k].org) || (PEOPLE[k].org === COORD_ORG && m.member(who))) continue;
    assert.ok(!new RegExp(`${PEOPLE[k].id}\\b`).test(text), `${where} names ${PEOPLE[k].id}:\n${text}`);
  }
  if (!m.seesMeetingOf(who, ['maff'])) assert.ok(!text.includes(MEETING), `${where} shows the meeting:\n${text}`);
  const tokens = await t.app.db.prisma.person.findMany({ where: { identity: { not: PEOPLE[who].id } } });
  for (const p of tokens)
    if (p.calendarToken) assert.ok(!text.includes(p.calendarToken), `${where} shows ${p.identity}'s feed`);
}

// ── the oracle on deliveries ─────────────────────────────────────────────────

/** Releases the held deliveries, checks every one that went out, and moves the model on. */
async function deliver(m: Model, real: Real): Promise<void> {
  real.log.push('(deliver)');
  const expected = new Map<string, boolean>();
  for (const c of m.pending) {
    const a = m.advisories.find((x) => x.id === c.adv) as Advisory;
    const ok =
      a.status === 'approved' &&
      m.sharable(a) &&
      (c.kind === 'post' ? m.ownerOf(c.target) === c.to : memberByIdentity(m, c.to));
    expected.set(`${c.adv}|${c.kind}|${c.target}`, ok);
  }
  const posts = t.platform.posts;
  const from = posts.length;
  real.t.app.dispatcher.start();
  await real.t.app.dispatcher.drain();
  await real.t.app.dispatcher.stop();
  // the model moves on as the dispatcher did: approved → sent, or back to consent when a copy
  // was refused for sharing (the workflow messages that causes are judged on the new state)
  for (const a of m.advisories) {
    if (a.status !== 'approved') continue;
    if (!m.sharable(a)) {
      m.reconsent(a);
      stats.caught++;
    } else a.status = 'sent';
  }
  m.pending = [];
  const rows = new Map(
    (
      await t.app.db.prisma.delivery.findMany({ where: { id: { in: posts.slice(from).map((p) => p.deliveryId) } } })
    ).map((d) => [d.id, d]),
  );
  for (const p of posts.slice(from)) {
    const d = rows.get(p.deliveryId);
    assert.ok(d, `a post without a delivery row: ${p.text}`);
    const to = p.kind === 'dm' ? p.channel.slice(1) : p.channel;
    const owner = p.kind === 'dm' ? null : m.ownerOf(to);
    const recipient = p.kind === 'dm' ? m.personByName(to) : undefined;
    const where = `${d.refType} ${d.refId} ${p.kind} to ${p.channel}`;
    stats.delivered++;
    if (p.kind === 'update') {
      // the withdrawal notice replaces, in place, a copy delivered there: the platform is given
      // the copy's delivery id (a direct message is updated in its `@user` conversation)
      const update = await t.app.db.prisma.delivery.findFirst({ where: { updatesId: d.id, kind: 'update' } });
      assert.ok(
        d.refType === 'advisory' &&
          d.status === 'sent' &&
          update?.status === 'sent' &&
          update.target === d.target &&
          p.channel === (d.kind === 'dm' ? `@${d.target}` : d.target),
        `${where}: replaces a copy delivered there (copy ${d.kind} ${d.status} ${d.target}; update ${update?.status} ${update?.target}; posted in ${p.channel})`,
      );
      continue;
    }
    if (d.refType === 'advisory') {
      const a = m.advisories.find((x) => x.id === d.refId) as Advisory;
      const key = `${a.id}|${p.kind}|${d.target}`;
      assert.equal(expected.get(key), true, `${where}: may not go out (${describe(m, a)})`);
      expected.delete(key);
      checkCopy(m, a, p.text, where);
      stats.copies++;
      continue;
    }
    if (d.refType === 'advisory-notice') {
      const a = m.advisories.find((x) => x.id === d.refId) as Advisory;
      if (/^advisory:[^:]+:(v\d+:)?consent:/.test(d.dedupeKey)) {
        assert.ok(recipient && m.has(recipient, 'poc'), `${where}: consent request to a current PoC`);
        const org = PEOPLE[recipient].org;
        assert.equal(a.status, 'consent', `${where}: only while waiting for consent`);
        assert.ok(
          a.sources.some((s) => m.incident(s).org === org && !m.covered(a, s)),
          `${where}: only to an organisation still asked`,
        );
        assert.ok(
          p.message.actions?.every((b) => b.command.endsWith(` version=${a.version}`)),
          `${where}: for the current version`,
        );
        for (const i of m.incidents)
          if (i.org !== org && !(i.share === 'attributed' && i.tlp !== 'red'))
            assert.ok(!p.text.includes(i.id), `${where} names another organisation's ${i.id}`);
        continue;
      }
      if (/^advisory:[^:]+:(v\d+:)?review:/.test(d.dedupeKey)) {
        assert.equal(owner, COORD_ORG, `${where}: the approval prompt goes to the coordinating organisation only`);
        assert.equal(a.status, 'review', `${where}: only while waiting for approval`);
        continue;
      }
      assert.ok(recipient && m.member(recipient), `${where}: a notice to someone holding a role`);
      assert.equal(recipient, a.drafter, `${where}: notices go to the drafter`);
      continue;
    }
    if (d.refType === 'incident') {
      const i = m.incident(d.refId as string);
      // a channel its organisation left belongs to nobody: the post is no leak (item 5, textsafe,
      // makes the dispatcher refuse it outright)
      assert.ok(owner === null || owner === i.org || owner === COORD_ORG, `${where}: ${owner} may not read ${i.id}`);
      continue;
    }
    if (d.refType === 'indicator') {
      assert.ok(
        owner === null || owner === COORD_ORG,
        `${where}: correlation alerts are the coordinating organisation's`,
      );
      continue;
    }
    if (d.refType === 'delivery.failure') {
      // issue 22 item 1: a delivery that failed for good (here: refused before sending by the
      // checks above) is shown to the coordinating office only, which may see every organisation's
      assert.equal(owner, COORD_ORG, `${where}: failure notices go to the coordinating organisation only`);
      const failed = await t.app.db.prisma.delivery.findUnique({ where: { id: d.refId as string } });
      assert.equal(failed?.status, 'failed', `${where}: about a delivery that failed`);
      continue;
    }
    assert.fail(`${where}: unexpected delivery\n${p.text}`);
  }
  // every copy the model lets through went out (the rule is not kept by refusing everything)
  for (const [key, ok] of expected) assert.equal(ok, false, `${key} should have been delivered`);
  stats.withheld += expected.size;
}

function memberByIdentity(m: Model, identity: string): boolean {
  const k = PERSON_KEYS.find((x) => PEOPLE[x].id === identity);
  return !!k && m.member(k);
}

/** A copy names exactly the sources shared `attributed` (consented), and nothing of the others. */
function checkCopy(m: Model, a: Advisory, text: string, where: string): void {
  const named = m.named(a).map((o) => ORG_NAMES_JA[o]);
  if (named.length) assert.match(text, new RegExp(`情報提供元: ${named.join(', ')}\\n`), `${where}: names its sources`);
  else assert.doesNotMatch(text, /情報提供元/, `${where}: names no source`);
  for (const s of a.sources) {
    const i = m.incident(s);
    assert.ok(!text.includes(i.id), `${where}: a copy never carries an incident id`);
    if (!m.named(a).includes(i.org)) {
      assert.ok(!text.includes(ORG_NAMES_JA[i.org] as string), `${where}: names the anonymous ${i.org}`);
      assert.doesNotMatch(text, new RegExp(`\\b${i.org}\\b`), `${where}: names the anonymous ${i.org}`);
    }
  }
  assert.match(text, new RegExp(`BODY-${a.n}-END`));
}

function describe(m: Model, a: Advisory): string {
  return `${a.id} ${a.status} v${a.version} tlp=${a.tlp} sources=${a.sources
    .map((s) => `${s}:${m.incident(s).share}/${m.incident(s).tlp}/${a.consents.get(s)?.answer}`)
    .join(',')}`;
}

/** The database says what the model says: each advisory's status, version and consents; each report's share and TLP. */
async function checkState(m: Model): Promise<void> {
  const p = t.app.db.prisma;
  const advs = await p.advisory.findMany({ include: { sources: true }, orderBy: { id: 'asc' } });
  assert.deepEqual(
    advs.map((a) => `${a.id} ${a.status} v${a.version}`),
    m.advisories.map((a) => `${a.id} ${a.status} v${a.version}`),
  );
  for (const a of m.advisories) {
    const row = advs.find((x) => x.id === a.id);
    for (const s of row?.sources ?? [])
      assert.equal(s.consent, a.consents.get(s.incidentId)?.answer ?? 'pending', `${a.id} ${s.incidentId} consent`);
  }
  const incs = await p.incident.findMany({ orderBy: { id: 'asc' } });
  assert.deepEqual(
    incs.map((i) => `${i.id} ${i.share} ${i.tlp}`),
    m.incidents.map((i) => `${i.id} ${i.share} ${i.tlp}`),
  );
}

// ── the commands ─────────────────────────────────────────────────────────────

type Step = fc.AsyncCommand<Model, Real, false>;
const TIMES = new Map<string, [number, number, number]>();

function step(name: string, body: (m: Model, r: Real) => Promise<void>): Step {
  return {
    check: () => true,
    async run(m, r) {
      stats.steps++;
      const t0 = performance.now();
      await body(m, r);
      const t1 = performance.now();
      await checkState(m);
      const k = name.split(/ #| as | share| tlp| role| channel/)[0] as string;
      const e = TIMES.get(k) ?? [0, 0, 0];
      TIMES.set(k, [e[0] + 1, e[1] + t1 - t0, e[2] + performance.now() - t1]);
    },
    toString: () => name,
  };
}

const person = fc.constantFrom(...PERSON_KEYS);
/** mostly someone whose role fits the command (chosen from the model when it runs), sometimes anyone */
const actor = fc.oneof({ weight: 3, arbitrary: fc.constant('fit' as const) }, { weight: 1, arbitrary: person });
type Actor = PersonKey | 'fit';
/** the `salt`-th person holding `role` (in `org`, when given), else the admin */
function actorFor(m: Model, who: Actor, role: Role, org?: string, salt = 0): PersonKey {
  if (who !== 'fit') return who;
  const all = PERSON_KEYS.filter((k) => k !== 'admin' && m.has(k, role));
  const there = all.filter((k) => !org || PEOPLE[k].org === org);
  const holders = there.length ? there : all;
  return holders.length ? (holders[salt % holders.length] as PersonKey) : 'admin';
}
const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
const advId = (m: Model, i: number) => pick(m.advisories, i)?.id ?? `ADV-${FY}-0099`;
const incId = (m: Model, i: number) => pick(m.incidents, i)?.id ?? `INC-${FY}-0099`;
/** mostly an advisory in a status where the command makes sense, sometimes any */
const aim = fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
function advOf(m: Model, i: number, fits: boolean, statuses: readonly Advisory['status'][]): Advisory | undefined {
  const fitting = m.advisories.filter((a) => statuses.includes(a.status));
  return fits && fitting.length ? fitting[i % fitting.length] : pick(m.advisories, i);
}
/** mostly a report that is the source of an advisory still open, sometimes any */
function incOf(m: Model, i: number, fits: boolean): Incident | undefined {
  const open = m.advisories
    .filter((a) => ['consent', 'review', 'approved'].includes(a.status))
    .flatMap((a) => a.sources);
  const fitting = m.incidents.filter((x) => open.includes(x.id));
  return fits && fitting.length ? fitting[i % fitting.length] : pick(m.incidents, i);
}

async function expectOk(real: Real, who: PersonKey, text: string, ok: boolean, m: Model): Promise<Outcome> {
  const o = await exec(real, who, text);
  await checkReply(m, who, o, text);
  assert.equal(
    o.status === 'ok',
    ok,
    `"${text}" as ${who}: expected ${ok ? 'ok' : 'a refusal'}, got ${o.status}\n${replyToText(o.reply)}`,
  );
  return o;
}

const report = fc
  .record({
    who: actor,
    share: fc.constantFrom(...SHARES),
    tlp: fc.constantFrom(...TLPS),
    ioc: fc.nat(IPS.length - 1),
  })
  .map(({ who: w, share, tlp, ioc }) =>
    step(`report as ${w} share=${share} tlp=${tlp}`, async (m, r) => {
      const who = actorFor(m, w, 'poc', undefined, ioc);
      const n = m.incidents.length + 1;
      // a coordinator (or the admin) reports for their own, the coordinating, organisation
      const ok = m.has(who, 'poc') || m.has(who, 'coordinator') || m.has(who, 'admin');
      await expectOk(
        r,
        who,
        `report category=malware summary="SUM-${n}-END 不審な通信" share=${share} tlp=${tlp} ioc=${IPS[ioc]}`,
        ok,
        m,
      );
      if (ok) m.incidents.push({ n, id: `INC-${FY}-${String(n).padStart(4, '0')}`, org: PEOPLE[who].org, share, tlp });
    }),
  );

const updateSource = fc
  .record({
    who: actor,
    i: fc.nat(),
    fits: aim,
    field: fc.constantFrom('share', 'tlp'),
    share: fc.constantFrom(...SHARES),
    tlp: fc.constantFrom(...TLPS),
  })
  .map(({ who: w, i, fits, field, share, tlp }) =>
    step(`incident update #${i} ${field} as ${w}`, async (m, r) => {
      const inc = incOf(m, i, fits);
      const who = actorFor(m, w, 'poc', inc?.org);
      const value = field === 'share' ? share : tlp;
      const id = inc?.id ?? incId(m, i);
      const ok =
        !!inc &&
        m.seesOrg(who, inc.org) &&
        (m.has(who, 'admin') || (m.has(who, 'poc') && PEOPLE[who].org === inc.org)) &&
        inc[field as 'share' | 'tlp'] !== value;
      await expectOk(r, who, `incident update ${id} ${field}=${value}`, ok, m);
      if (ok && inc) {
        if (field === 'share') inc.share = value as Share;
        else inc.tlp = value as Tlp;
        m.sourceChanged(inc.id);
      }
    }),
  );

/** A report's share changed by a path that does not tell the advisories (a hand edit, a forgotten caller). */
const tamper = fc.record({ i: fc.nat(), k: fc.nat(1) }).map(({ i, k }) =>
  step(`tamper #${i}`, async (m) => {
    // a source of an advisory waiting for approval or being delivered, where only approval or
    // the dispatcher can still notice
    const late = m.advisories.filter((a) => a.status === 'review' || a.status === 'approved').flatMap((a) => a.sources);
    const inc =
      pick(
        m.incidents.filter((x) => late.includes(x.id)),
        i,
      ) ?? incOf(m, i, true);
    if (!inc) return;
    const share = SHARES.filter((x) => x !== inc.share)[k] as Share;
    await t.app.db.prisma.incident.update({ where: { id: inc.id }, data: { share } });
    inc.share = share;
  }),
);

/** An advisory's body changed by a path that does not ask again (a hand edit, a forgotten caller). */
const retext = fc.record({ i: fc.nat(), fits: aim }).map(({ i, fits }) =>
  step(`retext #${i}`, async (m) => {
    const a = advOf(m, i, fits, ['consent', 'review', 'approved']);
    if (!a) return;
    a.text++;
    await t.app.db.prisma.advisory.update({
      where: { id: a.id },
      data: { body: `BODY-${a.n}-END 本文（改訂 ${a.text}）` },
    });
  }),
);

const draft = fc
  .record({
    who: actor,
    tlp: fc.constantFrom(...TLPS),
    all: fc.boolean(),
    orgs: fc.subarray([...MINISTRIES], { minLength: 1 }),
    sources: fc.array(fc.nat(), { maxLength: 2 }),
    recipients: fc.subarray(
      PERSON_KEYS.filter((k) => k !== 'admin'),
      { minLength: 1, maxLength: 2 },
    ),
  })
  .map(({ who: w, tlp, all, orgs, sources, recipients }) =>
    step(`advisory draft as ${w} tlp=${tlp}`, async (m, r) => {
      const who = actorFor(m, w, 'coordinator');
      const n = m.advisories.length + 1;
      const srcs = [...new Set(sources.map((i) => pick(m.incidents, i)?.id).filter((x): x is string => !!x))];
      const audience: 'all' | string[] = tlp === 'red' ? [] : all && rank(tlp) <= rank('green') ? 'all' : orgs;
      const dist =
        tlp === 'red'
          ? `recipients=${recipients.map((k) => PEOPLE[k].id).join(',')}`
          : `audience=${audience === 'all' ? 'all' : audience.join(',')}`;
      const ok = m.nisc(who) && (m.has(who, 'coordinator') || m.has(who, 'admin'));
      const src = srcs.length ? ` sources=${srcs.join(',')}` : '';
      await expectOk(
        r,
        who,
        `advisory draft title="TITLE-${n}-END 注意" body="BODY-${n}-END 本文" severity=high tlp=${tlp} ${dist}${src}`,
        ok,
        m,
      );
      if (!ok) return;
      m.advisories.push({
        n,
        id: `ADV-${FY}-${String(n).padStart(4, '0')}`,
        drafter: who,
        tlp,
        audience,
        recipients: tlp === 'red' ? recipients.map((k) => PEOPLE[k].id) : [],
        sources: srcs,
        text: 0,
        status: 'draft',
        version: 1,
        targets: null,
        consents: new Map(
          srcs.map((s) => [s, { answer: 'pending', share: 'none', tlp: 'red', named: '', text: 0, agreed: null }]),
        ),
      });
    }),
  );

const submit = fc.record({ who: actor, i: fc.nat(), fits: aim }).map(({ who: w, i, fits }) =>
  step(`advisory submit #${i} as ${w}`, async (m, r) => {
    const who = actorFor(m, w, 'coordinator');
    const a = advOf(m, i, fits, ['draft']);
    const allowed = m.has(who, 'coordinator') || m.has(who, 'admin');
    const pocs = (org: string) => PERSON_KEYS.some((k) => PEOPLE[k].org === org && m.has(k, 'poc'));
    const ok = allowed && !!a && a.status === 'draft' && m.sourceOrgs(a).every(pocs);
    await expectOk(r, who, `advisory submit ${a?.id ?? advId(m, i)}`, ok, m);
    if (!ok || !a) return;
    for (const s of a.sources) a.consents.set(s, m.snapshot(a, s, 'pending'));
    a.status = a.sources.length ? 'consent' : 'review';
  }),
);

const consent = fc
  .record({
    who: actor,
    i: fc.nat(),
    fits: aim,
    yes: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    tlp: fc.constantFrom('none', 'advisory', 'advisory', 'other'),
  })
  .map(({ who: w, i, fits, yes, tlp }) =>
    step(`advisory consent #${i} ${yes ? 'yes' : 'no'} tlp:${tlp} as ${w}`, async (m, r) => {
      const a = advOf(m, i, fits, ['consent']);
      const asked = a ? a.sources.map((x) => m.incident(x)).find((x) => !m.covered(a, x.id))?.org : undefined;
      const who = actorFor(m, w, 'poc', asked);
      const org = PEOPLE[who].org;
      const label = !a
        ? ''
        : tlp === 'advisory'
          ? a.tlp
          : tlp === 'other'
            ? (TLPS.find((x) => x !== a.tlp) as Tlp)
            : '';
      const arg = label ? ` tlp=${label}` : '';
      const typed = `advisory consent ${a?.id ?? advId(m, i)} ${yes ? 'yes' : 'no'}${arg}`;
      const o = await exec(r, who, typed);
      await checkReply(m, who, o, typed);
      let ok = m.has(who, 'poc') && !!a && a.status === 'consent';
      const mine = a ? a.sources.filter((s) => m.incident(s).org === org) : [];
      if (ok && a && mine.length > 0 && m.stale(a)) {
        // the text changed since the request by a path that did not ask again: nothing recorded,
        // everyone affected asked again with the text as it is now
        assert.equal(o.status, 'ok', `consent on a changed advisory: ${o.status} ${o.code}`);
        assert.match(replyToText(o.reply), /ご回答は記録していません/);
        m.reconsent(a);
        stats.caught++;
        return;
      }
      ok &&= mine.length > 0 && mine.some((s) => !m.covered(a as Advisory, s));
      if (ok && a && yes) {
        const lower = mine.some((s) => rank(m.incident(s).tlp) > rank(a.tlp));
        if (label && label !== a.tlp) ok = false;
        if (lower && !label) ok = false;
      }
      // not a source (or nothing asked yet): exactly "not found"
      if (a && m.has(who, 'poc') && (mine.length === 0 || a.status === 'draft'))
        assert.equal(o.code, 'advisory.not_found');
      assert.equal(
        o.status === 'ok',
        ok,
        `consent: expected ${ok}, got ${o.status} ${o.code}: ${replyToText(o.reply)}`,
      );
      if (!ok || !a) return;
      for (const s of mine)
        a.consents.set(s, m.snapshot(a, s, yes ? 'given' : 'declined', yes && label ? (label as Tlp) : null));
      if (!yes) a.status = 'rejected';
      else if (m.sharable(a)) a.status = 'review';
    }),
  );

const approve = fc.record({ who: actor, i: fc.nat(), fits: aim }).map(({ who: w, i, fits }) =>
  step(`advisory approve #${i} as ${w}`, async (m, r) => {
    const who = actorFor(m, w, 'approver');
    const a = advOf(m, i, fits, ['review']);
    const allowed = m.has(who, 'approver') || m.has(who, 'admin');
    const ok = allowed && !!a && a.status === 'review' && a.drafter !== who;
    const o = await expectOk(r, who, `advisory approve ${a?.id ?? advId(m, i)}`, ok, m);
    if (!ok || !a) return;
    if (!m.sharable(a)) {
      assert.match(replyToText(o.reply), /同意の確認に戻しました/);
      m.reconsent(a);
      stats.caught++;
      return;
    }
    a.status = 'approved';
    a.targets = m.targetsOf(a);
    for (const to of a.targets)
      m.pending.push(
        a.tlp === 'red'
          ? { adv: a.id, version: a.version, kind: 'dm', target: to.slice('console:'.length), to }
          : { adv: a.id, version: a.version, kind: 'post', target: m.channelOf(to), to },
      );
  }),
);

const withdraw = fc.record({ who: actor, i: fc.nat(), fits: aim }).map(({ who: w, i, fits }) =>
  step(`advisory withdraw #${i} as ${w}`, async (m, r) => {
    const who = actorFor(m, w, 'coordinator');
    const a = advOf(m, i, fits, ['draft', 'consent', 'review', 'approved', 'sent']);
    const allowed = m.has(who, 'coordinator') || m.has(who, 'admin');
    const ok = allowed && !!a && ['draft', 'consent', 'review', 'approved', 'sent'].includes(a.status);
    await expectOk(r, who, `advisory withdraw ${a?.id ?? advId(m, i)}`, ok, m);
    if (!ok || !a) return;
    a.status = 'withdrawn';
    m.pending = m.pending.filter((c) => c.adv !== a.id);
  }),
);

const grant = fc
  .record({ who: person, role: fc.constantFrom<Role>('coordinator', 'approver', 'poc', 'ciso') })
  .map(({ who, role }) =>
    step(`poc add ${who} role=${role}`, async (m, r) => {
      if (who === 'admin') return;
      const coordinating = PEOPLE[who].org === COORD_ORG;
      const ok = (coordinating || (role !== 'coordinator' && role !== 'approver')) && !m.has(who, role);
      await expectOk(r, 'admin', `poc add ${PEOPLE[who].id} org=${PEOPLE[who].org} role=${role}`, ok, m);
      if (ok) m.roles.get(who)?.add(role);
    }),
  );

const revoke = fc
  .record({ who: person, role: fc.option(fc.constantFrom<Role>('coordinator', 'approver', 'poc', 'ciso')) })
  .map(({ who, role }) =>
    step(`poc remove ${who}${role ? ` role=${role}` : ''}`, async (m, r) => {
      if (who === 'admin') return;
      const roles = m.roles.get(who) as Set<Role>;
      const ok = role ? roles.has(role) : roles.size > 0;
      await expectOk(r, 'admin', `poc remove ${PEOPLE[who].id}${role ? ` role=${role}` : ''}`, ok, m);
      if (!ok) return;
      if (role) roles.delete(role);
      else roles.clear();
    }),
  );

const ORGS = [COORD_ORG, ...MINISTRIES] as const;
const channel = fc
  .record({ org: fc.constantFrom(...ORGS), k: fc.nat(3), other: fc.constantFrom(...ORGS) })
  .map(({ org, k, other }) =>
    step(`org set ${org} channel=${k === 3 ? `${other}'s` : `#${org}-c${k}`}`, async (m, r) => {
      // k = 3: the channel another organisation holds now (its own, or its code on the console):
      // refused naming the holder; a channel nobody holds any more may be taken
      const name = k === 3 ? m.channelOf(other) : k === 0 ? org : `${org}-c${k}`;
      const owner = m.ownerOf(name);
      const ok = owner === null || owner === org;
      const o = await expectOk(r, 'admin', `org set ${org} channel=#${name}`, ok, m);
      if (!ok) assert.equal(o.code, 'org.channel_taken');
      else m.channel.set(org, name);
    }),
  );

const deliverStep = fc.constant(step('deliver', (m, r) => deliver(m, r)));

const READS = [
  'incident show',
  'incident list',
  'ioc check',
  'advisory status',
  'meeting list',
  'org show',
  'check status',
] as const;
const ACCESS: Record<(typeof READS)[number], Role[] | 'member'> = {
  'incident show': ['poc', 'ciso', 'coordinator', 'approver', 'admin'],
  'incident list': ['poc', 'ciso', 'coordinator', 'approver', 'admin'],
  'ioc check': ['poc', 'ciso', 'coordinator', 'approver', 'admin'],
  'advisory status': 'member',
  'meeting list': 'member',
  'org show': 'member',
  'check status': ['poc', 'ciso', 'coordinator', 'approver', 'admin'],
};
const read = fc
  .record({ who: person, what: fc.constantFrom(...READS), i: fc.nat(), org: fc.constantFrom(COORD_ORG, ...MINISTRIES) })
  .map(({ who, what, i, org }) =>
    step(`${what} as ${who}`, async (m, r) => {
      const arg =
        what === 'incident show'
          ? incId(m, i)
          : what === 'ioc check'
            ? IPS[i % IPS.length]
            : what === 'advisory status'
              ? advId(m, i)
              : what === 'org show'
                ? org
                : '';
      const typed = `${what} ${arg}`.trim();
      const o = await exec(r, who, typed);
      await checkReply(m, who, o, typed);
      const access = ACCESS[what];
      const allowed = access === 'member' ? m.member(who) : access.some((x) => m.has(who, x));
      assert.equal(o.status === 'denied', !allowed, `${what} as ${who}: ${o.status}`);
      if (!allowed) return;
      const text = replyToText(o.reply);
      if (what === 'incident show') {
        const inc = pick(m.incidents, i);
        assert.equal(o.status === 'ok', !!inc && m.seesOrg(who, inc.org), `incident show as ${who}: ${text}`);
      }
      if (what === 'advisory status') {
        const a = pick(m.advisories, i);
        assert.equal(o.status === 'ok', !!a && m.mayReadAdvisory(who, a), `advisory status as ${who}: ${text}`);
        if (a && o.status === 'ok') assert.match(text, new RegExp(`BODY-${a.n}-END`), 'a reader reads the body');
      }
      if (what === 'meeting list') assert.equal(text.includes(MEETING), m.seesMeetingOf(who, ['maff']));
      if (what === 'org show') {
        const people = PERSON_KEYS.filter((k) => PEOPLE[k].org === org && m.member(k));
        if (m.seesOrg(who, org))
          for (const k of people) assert.match(text, new RegExp(`${PEOPLE[k].id}\\b`), `org show ${org} lists ${k}`);
      }
    }),
  );

const commands = fc.oneof(
  { arbitrary: report, weight: 3 },
  { arbitrary: updateSource, weight: 4 },
  { arbitrary: tamper, weight: 2 },
  { arbitrary: retext, weight: 1 },
  { arbitrary: draft, weight: 3 },
  { arbitrary: submit, weight: 5 },
  { arbitrary: consent, weight: 8 },
  { arbitrary: approve, weight: 5 },
  { arbitrary: withdraw, weight: 1 },
  { arbitrary: grant, weight: 2 },
  { arbitrary: revoke, weight: 1 },
  { arbitrary: channel, weight: 2 },
  { arbitrary: deliverStep, weight: 3 },
  { arbitrary: read, weight: 5 },
);

// thousands of commands: minutes, more under load (the default 600 s a test would not do)
test(`sharing model: ${RUNS} runs of 31–36 steps (seed ${SEED}, ${PROVIDER}): no reply and no delivery breaks the oracle`, {
  timeout: 3_600_000,
}, async () => {
  const started = Date.now();
  let real: Real | null = null;
  await fc
    .assert(
      // every run opens with two reports and a draft (random ones), so that what follows has material
      fc.asyncProperty(
        fc.tuple(report, report, draft),
        fc.array(commands, { minLength: 27, maxLength: 32 }),
        async (opening, rest) => {
          const cmds = [...opening, ...rest];
          stats.runs++;
          const before = stats.steps;
          await fc.asyncModelRun(async () => {
            await reset();
            real = { t, seen: 0, log: [] };
            return { model: new Model(allOrgs), real };
          }, [
            ...cmds,
            step('deliver (end)', async (m, r) => {
              await deliver(m, r);
              stats.reconsent += m.reconsents;
              for (const a of m.advisories) stats.statuses.set(a.status, (stats.statuses.get(a.status) ?? 0) + 1);
            }),
          ]);
          stats.fewest = Math.min(stats.fewest, stats.steps - before);
        },
      ),
      // SHARING_MODEL_PATH: replay only the failing run a report names (`path: "…"`)
      { seed: SEED, numRuns: RUNS, endOnFailure: true, path: process.env.SHARING_MODEL_PATH },
    )
    .catch((e) => {
      const log = (real as Real | null)?.log.slice(-40).join('\n') ?? '';
      const cause = (e as Error & { cause?: unknown }).cause;
      throw new Error(
        `${(e as Error).message}\n--- cause ---\n${cause instanceof Error ? cause.message : String(cause)}\n--- last commands of the failing run ---\n${log}`,
      );
    });
  const s = Math.round((Date.now() - started) / 1000);
  const list = (x: Map<string, number>) => [...x].map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(
    `sharing model (${PROVIDER}, seed ${SEED}): ${stats.runs} runs, ${stats.steps} steps (at least ${stats.fewest} a run) in ${s} s; outcomes: ${list(stats.outcomes)}; ` +
      `advisories at the end: ${list(stats.statuses)}; back to consent ${stats.reconsent} times (${stats.caught} caught at approval or delivery); ` +
      `${stats.delivered} deliveries checked, ${stats.copies} advisory copies delivered, ${stats.withheld} withheld as the oracle said`,
  );
  // SHARING_MODEL_TIMES=1: time per kind of step (the command, then the state check)
  if (process.env.SHARING_MODEL_TIMES)
    console.log(
      [...TIMES].map(([k, [n, a, b]]) => `${k}: ${n} × ${(a / n).toFixed(1)} + ${(b / n).toFixed(1)} ms`).join('\n'),
    );
  assert.ok(stats.runs >= RUNS);
  assert.ok(stats.fewest >= 30, `every run has at least 30 steps (the shortest had ${stats.fewest})`);
  assert.ok(stats.delivered > 0 && (stats.outcomes.get('ok') ?? 0) > stats.runs * 5, 'the runs did things');
});
