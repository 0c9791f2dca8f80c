/** The people of the authorisation matrix, registered through the real commands. */
import type { TestApp } from './app.ts';

export const PERSONAS = {
  admin: 'console:admin',
  coordinator: 'console:nisc-coord',
  approver: 'console:nisc-duty',
  poc: 'console:maff-poc',
  otherPoc: 'console:mof-poc',
  ciso: 'console:maff-ciso',
  /** registered as maff's PoC, then every role removed: a person the directory knows, with no role */
  former: 'console:maff-former',
  stranger: 'console:stranger',
} as const;

export type Persona = keyof typeof PERSONAS;

export async function registerPersonas(t: TestApp): Promise<void> {
  const P = PERSONAS;
  for (const cmd of [
    `poc add ${P.coordinator} org=nisc role=coordinator`,
    `poc add ${P.approver} org=nisc role=approver`,
    `poc add ${P.poc} org=maff role=poc primary=yes`,
    `poc add ${P.otherPoc} org=mof role=poc primary=yes`,
    `poc add ${P.ciso} org=maff role=ciso`,
    `poc add ${P.former} org=maff role=poc`,
    `poc remove ${P.former}`,
  ]) {
    const o = await t.run(P.admin, cmd);
    if (o.status !== 'ok') throw new Error(`${cmd}: ${JSON.stringify(o.reply)}`);
  }
}
