/**
 * Incident reports (PRODUCT.md §4): report and update. Each change is one transaction that
 * writes the incident, its timeline, its indicators, the audit record and the channel posts
 * (outbox) together.
 */
import { canonicalJson } from '../audit/canonical-json.ts';
import type { Caller } from '../core/command.ts';
import { isHandledElsewhere, isUserError, UserError } from '../core/errors.ts';
import type { Tx } from '../db/client.ts';
import type { Intake } from '../db/gather.ts';
import type { Incident } from '../db/generated/sqlite/client.ts';
import { GroupCommit } from '../db/group-commit.ts';
import { fiscalYearOf, formatId } from '../domain/fiscal-year.ts';
import { storeHandling } from '../domain/handling.ts';
import { canonicalId } from '../domain/ids.ts';
import {
  checkTransition,
  FINAL,
  type IncidentStatus,
  nextStatuses,
  type Severity,
  type Share,
  type Tlp,
} from '../domain/incident-status.ts';
import { type Normalized as Indicator, normalizeIndicator } from '../domain/indicators.ts';
import { type ReportClock, reportClocks } from '../domain/report-clocks.ts';
import type { ContentField, Disclosure, Notified, Personal } from '../domain/report-contents.ts';
import { type ReportStage, type StageStep, stageStep } from '../domain/report-stages.ts';
import { type Translate, translator } from '../i18n/index.ts';
import type { JobHandler } from '../scheduler/scheduler.ts';
import { audit, postStyle, type ServiceDeps } from './context.ts';
import { coordinatingOrgInTx } from './coordinating-org.ts';
import { markMessage } from './exercise.ts';
import { takeSeqs } from './ids.ts';
import { actorsFor, changeBy, isHandler, sees } from './incident-access.ts';
import { clockMissing } from './incident-clock-format.ts';
import { clockInput } from './incident-clock-input.ts';
import { clockJobHandler, clockJobs, ensureClocks, INCIDENT_CLOCK_JOB, scheduleClocks } from './incident-clocks.ts';
import { newReportPost, stagePost, statusPost } from './incident-format.ts';
import { attachIndicators } from './incident-indicators.ts';
import { COLUMN, changedItems, contentAudit, contentColumns } from './incident-items.ts';
import { type OrgRef, type postToOrg, postToOrgs } from './notify.ts';
import { openReportBatch, type ReportBatch, writeReports } from './report-batch.ts';
import { CHASE_JOB, chaseJobHandler } from './report-chase.ts';

/** The report items (issue 17) as `report` and `incident update` take them; all optional. */
export interface ContentInput {
  /** 認知日時; default: the detection time */
  awareness?: Date;
  contact?: string;
  found?: string;
  damage?: string;
  personal?: Personal;
  records?: number;
  hosts?: number;
  impact?: string;
  cause?: string;
  actions?: string;
  plan?: string;
  notified?: Notified[];
  public?: Disclosure;
}

export interface ReportInput extends ContentInput {
  category: string;
  summary: string;
  severity?: Severity;
  tlp?: Tlp;
  share?: Share;
  confidentiality?: number;
  /** 取扱制限 codes (src/domain/handling.ts) */
  handling?: string[];
  system?: string;
  detected?: Date;
  occurred?: Date;
  ioc?: string[];
  /** for the coordinating office's handlers reporting on a ministry's behalf */
  org?: string;
  /** 訓練: an exercise report (src/services/exercise.ts) */
  exercise?: boolean;
}

export interface UpdateInput extends ContentInput {
  status?: IncidentStatus;
  note?: string;
  ioc?: string[];
  severity?: Severity;
  share?: Share;
  tlp?: Tlp;
  /** 機密性 1–3 and 取扱制限 codes (an empty list clears the marks) */
  confidentiality?: number;
  handling?: string[];
  /** the reporter marks it final: 確報 */
  final?: boolean;
}

/** What a report or an update did, for the reply. */
export interface ReportOutcome {
  id: string;
  clocks: ReportClock[];
  /** the items the 確報 still lacks */
  missing: ContentField[];
  /** 訓練: replies carry the mark */
  exercise: boolean;
}

/** Told, in the update's transaction, that a report's `share` or TLP changed (advisories re-check their consents). */
/** The advisories a source report's change sent back to the consent step: id and kind. */
export type SourceChangedHook = (tx: Tx, incidentId: string, actor: string) => Promise<{ id: string; kind: string }[]>;

/** The report items a new incident has not been given (contentColumns sets those it has). */
const NO_CONTENT = {
  actions: null,
  contact: null,
  found: null,
  damage: null,
  personal: null,
  records: null,
  hosts: null,
  impact: null,
  cause: null,
  plan: null,
  notified: null,
  disclosure: null,
} satisfies Record<(typeof COLUMN)[keyof typeof COLUMN], null>;

/**
 * Most reports written in one transaction. A process works on 8 commands at once on SQLite, 16 on
 * PostgreSQL (the journal's `turn`), so a batch rarely exceeds that; the bound keeps a replay
 * burst's transaction short.
 */
const REPORT_BATCH = 32;

/**
 * SQLite: about how long one batch may hold the one connection, ms. The acknowledgement of every
 * request arriving meanwhile waits for it (the journal's admission), and its target is 50 ms at
 * the 99th percentile (issue 19 item 7); a batch of 8 reports at 6–10 ms each under load held it
 * 50–80 ms. PostgreSQL: no bound (admissions have their own connections, reserved-lane.ts).
 */
const REPORT_HOLD_MS_SQLITE = 30;

/**
 * SQLite: how long a report batch waits for more reports when it is not full and more can come
 * (src/db/gather.ts), ms. At 200/s paced (one every 5 ms) it takes ~2 more, and the p99 to the
 * acknowledgement fell from 48-55 to 29-38 ms. At the maximum (the journal's turns all taken,
 * commands waiting for one) it does not wait: waiting there cost 282-290 done/s against 363-366
 * (quick bench, alternating, load 0-1.8, 2026-12-04). 15 and 20 ms were no better at 200/s paced:
 * p99 28.0 and 31.0 ms against 28.2 (medians of 3 rounds, load 1.9-6.2), CPU per report the same
 * (5.4-5.8 ms) although the batches grew from 4.5 to 5.5 and 6.2.
 */
const REPORT_GATHER_MS_SQLITE = 10;

export class IncidentService {
  /** reports arriving together are written together (src/db/group-commit.ts) */
  private readonly reports: GroupCommit<ReportBatch>;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly sourceChanged: SourceChangedHook = async () => [],
  ) {
    this.reports = new GroupCommit(deps.db, {
      max: REPORT_BATCH,
      ...(deps.db.provider === 'sqlite' ? { holdMs: REPORT_HOLD_MS_SQLITE, gatherMs: REPORT_GATHER_MS_SQLITE } : {}),
      // every statement of a batch is raw SQL (its checks, guards, numbers and report-batch.ts's
      // writes): on SQLite its transaction is then ours, not Prisma's (src/db/raw-tx.ts)
      tx: { raw: true },
      take: (tx, seq, count) => takeSeqs(deps.db, tx, seq, count),
      own: (e) => isUserError(e) || isHandledElsewhere(e),
      open: openReportBatch,
      close: (tx, batch) => writeReports(deps, tx, batch),
    });
  }

  private get db() {
    return this.deps.db;
  }

  /**
   * The commands the process works on (the command journal): a report batch waits for more
   * reports only while more can come (src/db/gather.ts).
   */
  watchIntake(intake: Intake): void {
    this.reports.watch(intake);
  }

  /** how reports were batched: transactions, members, the largest, members written again alone */
  get reportBatches(): Readonly<GroupCommit['stats']> {
    return this.reports.stats;
  }

  /** Normalises every indicator or fails naming the first bad one; duplicates are dropped. */
  indicators(raw: readonly string[] = []): Indicator[] {
    const max = this.deps.maxIndicators ?? 100;
    if (raw.length > max) throw new UserError('ioc.too_many', { max, count: raw.length });
    const out = new Map<string, Indicator>();
    for (const r of raw) {
      const n = normalizeIndicator(r);
      if (!n.ok) throw new UserError('ioc.invalid', { value: r });
      out.set(n.indicator.value, n.indicator);
    }
    return [...out.values()];
  }

  async report(
    caller: Caller,
    input: ReportInput,
  ): Promise<ReportOutcome & { indicators: number; onBehalf: { nameJa: string; nameEn: string } | null }> {
    const org = await this.reportingOrg(caller, input.org);
    const inds = this.indicators(input.ioc);
    if (caller.personId === null) throw new UserError('auth.unregistered');
    const now = this.deps.clock.now();
    const fy = fiscalYearOf(now);
    // written with the reports arriving at the same time, in one transaction (group-commit.ts):
    // the check may refuse this report alone; the number comes with the batch's one bump
    return this.reports.run({
      seq: `INC-${fy}`,
      check: input.system ? (tx) => this.checkSystem(tx, input.system as string, org.id) : undefined,
      // the member computes its rows; the batch's end writes them with its other members'
      // (report-batch.ts: one statement per table for the batch)
      write: async (_tx, n, batch) => {
        const id = formatId('INC', fy, n);
        // the row as the database holds it once written (no read back)
        const inc: Incident = {
          id,
          fiscalYear: fy,
          orgId: org.id,
          reporterId: caller.personId as number,
          category: input.category,
          summary: input.summary,
          severity: input.severity ?? 'medium',
          tlp: input.tlp ?? 'amber',
          share: input.share ?? 'none',
          confidentiality: input.confidentiality ?? null,
          handling: storeHandling(input.handling ?? []),
          systemId: input.system ? canonicalId(input.system, 'SYS') : null,
          detectedAt: input.detected ?? now,
          occurredAt: input.occurred ?? null,
          awareAt: input.awareness ?? input.detected ?? now,
          ...NO_CONTENT,
          ...contentColumns(input),
          status: 'reported',
          stage: 'quick',
          updates: 0,
          updateAt: null,
          finalAt: null,
          exercise: input.exercise ?? false,
          createdAt: now,
          updatedAt: now,
        };
        const event = {
          at: this.deps.clock.now(),
          actor: caller.identity,
          data: { org: org.code, indicators: inds.length },
        };
        const linkedAt = this.deps.clock.now();
        // an exercise's every post carries 【訓練】/[EXERCISE]
        const build = (t: Translate) =>
          markMessage(t, inc.exercise, newReportPost({ ...inc, org }, inds, t, postStyle(this.deps)));
        batch.reports.push({
          incident: inc,
          event,
          indicators: [...inds].sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0)),
          linkedAt,
          post: { own: org, build, key: `incident:${id}:reported` },
          // a new incident has no jobs to withdraw: only its notices' jobs
          jobs: clockJobs(this.deps, inc),
        });
        // appended with the batch's other records at its end (one update of the head row)
        batch.audits.push({
          actor: caller.identity,
          action: 'incident.report',
          subject: id,
          at: this.deps.clock.now(),
          data: {
            org: org.code,
            category: inc.category,
            severity: inc.severity,
            tlp: inc.tlp,
            share: inc.share,
            confidentiality: inc.confidentiality,
            handling: inc.handling,
            indicators: inds.map((i) => i.value),
            awareAt: inc.awareAt?.toISOString() ?? null,
            // the dashboard's figures measure from it (src/domain/figures.ts)
            detectedAt: inc.detectedAt.toISOString(),
            items: contentAudit(input),
            ...(inc.exercise ? { exercise: true } : {}),
          },
        });
        // the coordinating office reporting for a ministry (org=): the reply names that ministry
        const onBehalf = caller.org?.id === org.id ? null : { nameJa: org.nameJa, nameEn: org.nameEn };
        return { indicators: inds.length, onBehalf, ...this.outcome(inc, now) };
      },
    });
  }

  /** The clocks and what the 確報 still lacks, as the reply says them. */
  private outcome(inc: Incident, now: Date): ReportOutcome {
    return {
      id: inc.id,
      clocks: reportClocks(clockInput(inc), this.deps.reportPolicy, now),
      missing: clockMissing(inc, this.deps.reportPolicy),
      exercise: inc.exercise,
    };
  }

  /** Schedules the clocks of every open incident again when the reporting rules changed (on start). */
  ensureClocks(): Promise<number> {
    return ensureClocks(this.deps, canonicalJson(this.deps.reportPolicy as unknown as Record<string, unknown>));
  }

  jobHandlers(): Record<string, JobHandler> {
    return { [INCIDENT_CLOCK_JOB]: clockJobHandler(this.deps), [CHASE_JOB]: chaseJobHandler(this.deps) };
  }

  async update(
    caller: Caller,
    rawId: string,
    input: UpdateInput,
  ): Promise<ReportOutcome & { changes: string[]; step: StageStep; reconsent: { id: string; kind: string }[] }> {
    const id = canonicalId(rawId, 'INC');
    const inds = this.indicators(input.ioc);
    const items = contentColumns(input);
    if (
      !input.status &&
      !input.note &&
      !input.severity &&
      !input.share &&
      !input.tlp &&
      input.confidentiality === undefined &&
      input.handling === undefined &&
      !input.final &&
      !input.awareness &&
      inds.length === 0 &&
      Object.keys(items).length === 0
    ) {
      throw new UserError('incident.nothing_to_update');
    }
    const now = this.deps.clock.now();
    return this.db.tx(async (tx) => {
      // the row first, locked (PostgreSQL; SQLite's transaction holds the write lock already):
      // two updates at once read it one after the other, so each 続報 gets its own number and a
      // status move always starts from the status it was checked against
      await this.db.execute(tx, 'UPDATE "Incident" SET id = id WHERE id = ?', id);
      const inc = await tx.incident.findUnique({ where: { id } });
      if (!inc || !sees(caller, inc.orgId)) throw new UserError('incident.not_found', { id: rawId });
      const org = await tx.organization.findUniqueOrThrow({ where: { id: inc.orgId } });
      const actors = actorsFor(caller, inc.orgId);
      if (actors.size === 0) throw new UserError('incident.read_only', { id });
      // closed and rejected incidents are frozen: a new development is a new report
      if ((FINAL as readonly string[]).includes(inc.status))
        throw new UserError('incident.final', { id, status: inc.status });
      const changes: string[] = [];
      const data: Record<string, unknown> = {};
      const from = inc.status as IncidentStatus;
      if (input.status && input.status !== from) {
        const ok = checkTransition(from, input.status, actors);
        if (!ok.ok) {
          throw new UserError(ok.code, { id, from, to: input.status, allowed: nextStatuses(from).join(', ') || '-' });
        }
        data.status = input.status;
        await this.event(tx, id, caller.identity, 'status', { from, to: input.status });
        changes.push('status');
      } else if (input.status) {
        throw new UserError('incident.same_status', { id, status: from });
      }
      for (const field of ['severity', 'share', 'tlp'] as const) {
        const v = input[field];
        if (v === undefined || v === inc[field]) continue;
        // the reporting organisation owns its report's sharing and label
        if (field !== 'severity' && !actors.has('reporter') && !caller.roles.has('admin')) {
          throw new UserError(`incident.${field}_reporter_only`, { id });
        }
        data[field] = v;
        await this.event(tx, id, caller.identity, 'field', { field, from: inc[field], to: v });
        changes.push(field);
      }
      // the handling marks beside TLP: the reporting organisation's, like its TLP
      const marks = {
        confidentiality: input.confidentiality,
        handling: input.handling === undefined ? undefined : storeHandling(input.handling),
      };
      for (const field of ['confidentiality', 'handling'] as const) {
        const v = marks[field];
        if (v === undefined || v === inc[field]) continue;
        if (!actors.has('reporter') && !caller.roles.has('admin')) {
          throw new UserError(`incident.${field}_reporter_only`, { id });
        }
        data[field] = v;
        await this.event(tx, id, caller.identity, 'field', { field, from: inc[field], to: v });
        changes.push(field);
      }
      const awareFrom = inc.awareAt ?? inc.detectedAt;
      if (input.awareness && input.awareness.getTime() !== awareFrom.getTime()) {
        data.awareAt = input.awareness;
        await this.event(tx, id, caller.identity, 'awareness', {
          from: awareFrom.toISOString(),
          to: input.awareness.toISOString(),
        });
        changes.push('awareness');
      }
      const itemFields = changedItems(inc, items);
      for (const f of itemFields) data[COLUMN[f]] = items[COLUMN[f]];
      changes.push(...itemFields);
      if (input.note) {
        await this.event(tx, id, caller.identity, 'note', { text: input.note });
        changes.push('note');
      }
      const added = await attachIndicators(this.deps, tx, inc, inds, caller.identity, true);
      if (added.length) changes.push('ioc');
      const missing = clockMissing({ ...inc, ...data } as Incident, this.deps.reportPolicy);
      const step = stageStep(
        { stage: inc.stage as ReportStage, updates: inc.updates },
        changeBy(caller, inc.orgId),
        input.final === true,
        missing,
      );
      if (!step.ok) {
        const t = translator(caller.locale);
        const fields = missing.map((f) =>
          caller.locale === 'ja' ? `${f}（${t(`incident.f.${f}`)}）` : `${f} (${t(`incident.f.${f}`)})`,
        );
        throw new UserError(step.code, { id, fields: fields.join(caller.locale === 'ja' ? '、' : ', ') });
      }
      if (changes.length === 0 && step.step !== 'final') throw new UserError('incident.nothing_changed', { id });
      if (step.step === 'update') {
        Object.assign(data, { stage: 'update', updates: step.n, updateAt: inc.updateAt ?? now });
        await this.event(tx, id, caller.identity, 'stage', { stage: 'update', n: step.n, fields: changes });
      } else if (step.step === 'final') {
        Object.assign(data, { stage: 'final', finalAt: now });
        await this.event(tx, id, caller.identity, 'stage', { stage: 'final', n: inc.updates, fields: changes });
      } else if (itemFields.length) {
        await this.event(tx, id, caller.identity, 'content', { fields: itemFields });
      }
      const updated = await tx.incident.update({ where: { id }, data: { ...data, updatedAt: now } });
      await audit(this.deps, tx, caller.identity, 'incident.update', id, {
        ...data,
        awareAt: input.awareness ? input.awareness.toISOString() : undefined,
        updateAt: undefined,
        finalAt: undefined,
        note: input.note ?? null,
        indicators: added.map((i) => i.value),
        step: step.step === 'update' ? `update:${step.n}` : step.step,
      });
      const move = data.status
        ? { from, to: String(data.status), actor: caller.identity, note: input.note ?? null }
        : null;
      if (step.step !== 'note') {
        const seq = step.step === 'update' ? `update:${step.n}` : 'final';
        await this.notify(tx, org, `incident:${id}:${seq}`, id, updated.exercise, (t) =>
          stagePost({ ...updated, org }, step, changes, move, t, postStyle(this.deps)),
        );
      } else if (move) {
        const seq = await tx.incidentEvent.count({ where: { incidentId: id, kind: 'status' } });
        await this.notify(tx, org, `incident:${id}:status:${seq}`, id, updated.exercise, (t) =>
          statusPost({ ...updated, org }, move, t, this.deps.locale),
        );
      }
      if (data.awareAt || step.step !== 'note' || data.status) await scheduleClocks(this.deps, tx, updated);
      const reconsent = data.share || data.tlp ? await this.sourceChanged(tx, id, caller.identity) : [];
      return { changes, step, reconsent, ...this.outcome(updated, now) };
    });
  }

  /** The coordinating office's channel and the incident's own organisation channel (once when they are the same). */
  private async notify(
    tx: Tx,
    own: OrgRef,
    key: string,
    id: string,
    exercise: boolean,
    plain: Parameters<typeof postToOrg>[3],
  ): Promise<void> {
    // an exercise's every post carries 【訓練】/[EXERCISE]
    const build: Parameters<typeof postToOrg>[3] = (t, dates) => markMessage(t, exercise, plain(t, dates));
    const coord = await coordinatingOrgInTx(tx);
    const ref = { type: 'incident', id };
    // both posts with a few statements (postToOrgs: one channel query, one insert), the message built once
    const to = [...(coord ? [coord] : []), ...(!coord || coord.id !== own.id ? [own] : [])];
    await postToOrgs(
      this.deps,
      tx,
      to.map((org) => ({ org, build, key, ref })),
    );
  }

  private async event(tx: Tx, incidentId: string, actor: string, kind: string, data: Record<string, unknown>) {
    // raw SQL: nothing reads the row back
    await this.db.execute(
      tx,
      'INSERT INTO "IncidentEvent" ("incidentId", "at", "actor", "kind", "data") VALUES (?, ?, ?, ?, ?)',
      incidentId,
      this.deps.clock.now(),
      actor,
      kind,
      canonicalJson(data),
    );
  }

  private async reportingOrg(caller: Caller, code: string | undefined) {
    if (code !== undefined) {
      if (!isHandler(caller)) throw new UserError('report.org_not_allowed', { org: code });
      const o = await this.db.prisma.organization.findUnique({ where: { code: code.toLowerCase() } });
      if (!o) throw new UserError('org.not_found', { org: code });
      return o;
    }
    if (!caller.org) throw new UserError('report.no_org');
    // read with the caller for this request (src/services/directory.ts): not read again
    return caller.org;
  }

  private async checkSystem(tx: Tx, system: string, orgId: number) {
    // raw SQL: in the batch's transaction, before its writes (the model API's plan and mapping cost more)
    const [s] = await this.db.query<{ orgId: number | bigint }>(
      tx,
      'SELECT "orgId" FROM "System" WHERE id = ?',
      canonicalId(system, 'SYS'),
    );
    if (!s || Number(s.orgId) !== orgId) throw new UserError('incident.system_not_found', { system });
  }
}
