/**
 * Platform entries for the security tests: the same seven personas, registered the same way,
 * driven through each entry the bot has. A driver runs a command as a persona and says what
 * the router decided; the tests do not care how the request travelled.
 *
 * Adding a platform (Mattermost, once its adapter is on main) is one driver factory and one
 * line in DRIVERS: identities of the personas on that platform, a start() that runs the real
 * bot with that adapter mounted, and a run() that sends a signed/tokened request to it.
 */
import type { App } from '../../src/app.ts';
import type { Outcome } from '../../src/core/router.ts';
import { testApp } from '../helpers/app.ts';
import { tableCounts } from '../helpers/counts.ts';
import { MM_ADMIN, mmid, startMattermostBot } from '../helpers/mattermost.ts';
import type { Persona } from '../helpers/personas.ts';
import { ADMIN, startSlackBot } from '../helpers/slack.ts';

export const PERSONA_NAMES: readonly Persona[] = [
  'admin',
  'coordinator',
  'approver',
  'poc',
  'otherPoc',
  'ciso',
  'former',
  'stranger',
];

/** What every persona is (the registration commands use these). */
export const PERSONA_GRANTS: Record<Exclude<Persona, 'admin' | 'stranger' | 'former'>, string> = {
  coordinator: 'org=nisc role=coordinator',
  approver: 'org=nisc role=approver',
  poc: 'org=maff role=poc primary=yes',
  otherPoc: 'org=mof role=poc primary=yes',
  ciso: 'org=maff role=ciso',
};

/**
 * Tables that are not state: the replay cache of platform requests (written before any command
 * runs), and the command journal (an entry lives from the request until the command's work
 * ends; a refused command's entry goes just after its reply, which a test may see first).
 */
export const TECHNICAL_TABLES: readonly string[] = ['SeenRequest', 'PendingCommand'];

export interface RunResult {
  /** the router's outcome; null when the platform opened a form instead of running the command */
  outcome: Outcome | null;
}

export interface Entry {
  platform: string;
  app: App;
  identity(p: Persona): string;
  run(p: Persona, text: string): Promise<RunResult>;
  /** row counts of every state table (technical tables left out) and the audit count */
  snapshot(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export type Driver = { platform: string; start(env?: Record<string, string>): Promise<Entry> };

async function snapshotOf(app: App): Promise<Record<string, number>> {
  const c = await tableCounts(app);
  for (const t of TECHNICAL_TABLES) delete c[t];
  return c;
}

async function register(e: Entry, runAsAdmin: (text: string) => Promise<Outcome | null>): Promise<void> {
  for (const [p, grant] of Object.entries(PERSONA_GRANTS)) {
    const o = await runAsAdmin(`poc add ${e.identity(p as Persona)} ${grant}`);
    if (o?.status !== 'ok') throw new Error(`${e.platform}: registering ${p} failed: ${JSON.stringify(o?.reply)}`);
  }
  // a person whose roles were all removed: known to the directory, holding none
  for (const text of [`poc add ${e.identity('former')} org=maff role=poc`, `poc remove ${e.identity('former')}`]) {
    const o = await runAsAdmin(text);
    if (o?.status !== 'ok') throw new Error(`${e.platform}: ${text} failed: ${JSON.stringify(o?.reply)}`);
  }
}

export const consoleDriver: Driver = {
  platform: 'console',
  async start(env = {}) {
    const t = await testApp({ env });
    const ids: Record<Persona, string> = {
      admin: 'console:admin',
      coordinator: 'console:nisc-coord',
      approver: 'console:nisc-duty',
      poc: 'console:maff-poc',
      otherPoc: 'console:mof-poc',
      ciso: 'console:maff-ciso',
      former: 'console:maff-former',
      stranger: 'console:stranger',
    };
    const e: Entry = {
      platform: 'console',
      app: t.app,
      identity: (p) => ids[p],
      run: async (p, text) => ({ outcome: await t.run(ids[p], text) }),
      snapshot: () => snapshotOf(t.app),
      close: () => t.close(),
    };
    await register(e, (text) => t.run(ids.admin, text));
    return e;
  },
};

const SLACK_USERS: Record<Persona, string> = {
  admin: ADMIN,
  coordinator: 'U0COORD',
  approver: 'U0DUTY',
  poc: 'U0MAFFPOC',
  otherPoc: 'U0MOFPOC',
  ciso: 'U0MAFFCISO',
  former: 'U0MAFFFORMER',
  stranger: 'U0STRANGER',
};

/**
 * Signed slash commands to the running bot's POST /slack/events (tests/helpers/slack.ts). The
 * router's outcome is observed by wrapping router.handle (the listener calls it); a command
 * whose form opened instead (views.open) has no outcome, unless the caller may not use it (the
 * form is replaced by the refusal, which is also the reply).
 */
export const slackDriver: Driver = {
  platform: 'slack',
  async start(env = {}) {
    const users = Object.fromEntries(
      Object.entries(SLACK_USERS).map(([p, id]) => [id, { name: p, locale: 'ja-JP' }]),
    ) as Record<string, { name: string; locale: string }>;
    const bot = await startSlackBot({ fake: { users }, env });
    const outcomes: Outcome[] = [];
    const router = bot.app.router;
    const handle = router.handle.bind(router);
    router.handle = async (inv) => {
      const o = await handle(inv);
      outcomes.push(o);
      return o;
    };
    const run = async (p: Persona, text: string): Promise<RunResult> => {
      const seen = outcomes.length;
      const views = bot.fake.views().length;
      const { res, responseUrl } = await bot.command(SLACK_USERS[p], text);
      if (res.status !== 200) throw new Error(`slack: ${text} as ${p}: HTTP ${res.status}`);
      await bot.until(() => outcomes.length > seen || bot.fake.views().length > views, 20_000);
      // a form opens before the caller is looked up (Slack's 3 s): a refusal follows it
      await bot.app.inFlight.idle(20_000);
      if (outcomes.length === seen) return { outcome: null };
      // the person is told, on the response_url
      await bot.until(() => bot.fake.responses(responseUrl).length > 0, 20_000);
      return { outcome: outcomes[seen] ?? null };
    };
    const e: Entry = {
      platform: 'slack',
      app: bot.app,
      identity: (p) => `slack:${SLACK_USERS[p]}`,
      run,
      snapshot: () => snapshotOf(bot.app),
      close: () => bot.close(),
    };
    await register(e, async (text) => (await run('admin', text)).outcome);
    return e;
  },
};

const MM_USERS: Record<Persona, string> = {
  admin: MM_ADMIN,
  coordinator: mmid('coord'),
  approver: mmid('duty'),
  poc: mmid('maffpoc'),
  otherPoc: mmid('mofpoc'),
  ciso: mmid('maffciso'),
  former: mmid('mafformer'),
  stranger: mmid('stranger'),
};

/**
 * Slash commands with the command token to the running bot's POST /mattermost/command, against
 * the fake Mattermost server. As for Slack, the router's outcome is observed by wrapping
 * router.handle; a command that opened a dialog instead has no outcome.
 */
export const mattermostDriver: Driver = {
  platform: 'mattermost',
  async start(env = {}) {
    const bot = await startMattermostBot({ env });
    const users = Object.fromEntries(
      (Object.entries(MM_USERS) as [Persona, string][]).map(([p, id]) => [
        p,
        bot.fake.store.users.get(id) ?? bot.fake.addUser({ id, username: p.toLowerCase(), locale: 'ja' }),
      ]),
    ) as Record<Persona, NonNullable<ReturnType<typeof bot.fake.store.users.get>>>;
    const outcomes: Outcome[] = [];
    const router = bot.app.router;
    const handle = router.handle.bind(router);
    router.handle = async (inv) => {
      const o = await handle(inv);
      outcomes.push(o);
      return o;
    };
    const run = async (p: Persona, text: string): Promise<RunResult> => {
      const seen = outcomes.length;
      const dialogs = bot.fake.dialogs.length;
      const res = await bot.command(users[p], text);
      if (res.status !== 200) throw new Error(`mattermost: ${text} as ${p}: HTTP ${res.status}`);
      await bot.until(() => outcomes.length > seen || bot.fake.dialogs.length > dialogs, 20_000);
      return { outcome: outcomes.length > seen ? (outcomes[seen] ?? null) : null };
    };
    const e: Entry = {
      platform: 'mattermost',
      app: bot.app,
      identity: (p) => `mattermost:${MM_USERS[p]}`,
      run,
      snapshot: () => snapshotOf(bot.app),
      close: () => bot.close(),
    };
    await register(e, async (text) => (await run('admin', text)).outcome);
    return e;
  },
};

/** Every platform entry the bot has: the matrix and the property tests run on each. */
export const DRIVERS: readonly Driver[] = [consoleDriver, slackDriver, mattermostDriver];
