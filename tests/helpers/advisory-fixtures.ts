/**
 * People and incidents for the advisory scenarios. Incidents are written straight into the
 * database (the report command belongs to the incidents area); everything about advisories
 * goes through the real commands.
 */
import type { App } from '../../src/app.ts';
import { fiscalYearOf } from '../../src/domain/fiscal-year.ts';
import { nextId } from '../../src/services/ids.ts';
import type { TestApp } from './app.ts';
import { PERSONAS, registerPersonas } from './personas.ts';

export const P = {
  ...PERSONAS,
  /** NISC: holds both coordinator and approver (four eyes still applies) */
  both: 'console:nisc-both',
  mlit: 'console:mlit-poc',
  env: 'console:env-poc',
} as const;

export async function registerAdvisoryPeople(t: TestApp): Promise<void> {
  await registerPersonas(t);
  for (const cmd of [
    `poc add ${P.both} org=nisc role=coordinator,approver`,
    `poc add ${P.mlit} org=mlit role=poc primary=yes`,
    `poc add ${P.env} org=env role=poc primary=yes`,
  ]) {
    const o = await t.run(P.admin, cmd);
    if (o.status !== 'ok') throw new Error(`${cmd}: ${JSON.stringify(o.reply)}`);
  }
}

/** A reported incident of `org` with the reporter's standing `share` consent; returns its id. */
export async function seedIncident(
  app: App,
  org: string,
  share: 'none' | 'anonymized' | 'attributed',
  reporter: string,
  now = app.clock.now(),
): Promise<string> {
  return app.db.tx(async (tx) => {
    const o = await tx.organization.findUniqueOrThrow({ where: { code: org } });
    const p = await tx.person.findUniqueOrThrow({ where: { identity: reporter } });
    const id = await nextId(app.db, tx, 'INC', fiscalYearOf(now));
    await tx.incident.create({
      data: {
        id,
        fiscalYear: fiscalYearOf(now),
        orgId: o.id,
        reporterId: p.id,
        category: 'targeted-email',
        summary: `test report of ${org}`,
        severity: 'high',
        tlp: 'amber',
        share,
        detectedAt: now,
        status: 'reported',
        createdAt: now,
      },
    });
    return id;
  });
}
