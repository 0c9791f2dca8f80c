/**
 * People and incidents for the advisory scenarios, all through the real commands.
 */
import { replyToText } from '../../src/core/reply.ts';
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

/** Reports an incident through the real `report` command as `reporter`; returns its id. */
export async function reportIncident(
  t: TestApp,
  reporter: string,
  share: 'none' | 'anonymized' | 'attributed',
  summary = 'suspicious e-mail attachment',
): Promise<string> {
  const o = await t.run(reporter, `report category=targeted-email summary="${summary}" severity=high share=${share}`);
  const id = /INC-\d{4}-\d{4}/.exec(replyToText(o.reply))?.[0];
  if (o.status !== 'ok' || !id) throw new Error(`report as ${reporter}: ${replyToText(o.reply)}`);
  return id;
}
