/**
 * A real application on a fresh database for tests: SQLite in a temporary file, or a new
 * database on the test PostgreSQL server when TEST_PROVIDER=postgresql (scripts/test.mjs).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { consoleRefs } from '../../src/adapters/console/refs.ts';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/core/clock.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { replyToText } from '../../src/core/reply.ts';
import type { Outcome } from '../../src/core/router.ts';
import { MemoryPlatform } from '../fakes/memory-platform.ts';
import { copySqliteTemplate, createPgFromTemplate } from './db-template.ts';
import { assertOnPgPass } from './pg-pass.ts';

export const PROVIDER = (process.env.TEST_PROVIDER ?? 'sqlite') as 'sqlite' | 'postgresql';

/**
 * A fresh database of the provider under test, and how to drop it: a copy of the migrated
 * template (tests/helpers/db-template.ts: the bot finds it up to date at start), or with
 * `empty: true` a truly empty one, for the tests about migrations, upgrades and restores.
 */
export async function testDb(opts: { empty?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  assertOnPgPass();
  if (PROVIDER === 'postgresql') {
    const base = process.env.TEST_PG_URL;
    if (!base) throw new Error('TEST_PG_URL is not set: run the tests with npm test');
    const name = `t_${randomBytes(6).toString('hex')}`;
    if (opts.empty) {
      const admin = new pg.Client({ connectionString: base });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
    } else {
      await createPgFromTemplate(base, name);
    }
    const url = base.replace(/\/[^/]*$/, `/${name}`);
    return {
      url,
      async drop() {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'csirt-test-'));
  const file = join(dir, 'test.db');
  if (!opts.empty) await copySqliteTemplate(file);
  return { url: `file:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestApp {
  app: App;
  clock: ManualClock;
  platform: MemoryPlatform;
  url: string;
  /** runs a command as `identity` and delivers what it enqueued */
  run(identity: string, text: string): Promise<Outcome>;
  /** the reply text of run() */
  say(identity: string, text: string): Promise<string>;
  auditCount(): Promise<number>;
  close(): Promise<void>;
}

export async function testApp(
  opts: {
    env?: Record<string, string>;
    now?: string;
    platform?: PlatformName;
    url?: string;
    /** a truly empty database, migrated by createApp (the default: a copy of the migrated template) */
    empty?: boolean;
    seams?: Map<PlatformName, PlatformSeam>;
  } = {},
): Promise<TestApp> {
  const db = opts.url ? { url: opts.url, drop: async () => {} } : await testDb({ empty: opts.empty });
  // the daily audit anchor is a scheduler job of its own: off unless a test asks for it
  // (tests/e2e/audit-anchor.test.ts), so that reminder tests count only their jobs
  const config = loadConfig({
    BOT_ADMINS: 'console:admin',
    LOG_LEVEL: 'silent',
    AUDIT_ANCHOR_AT: 'off',
    // escalation until acknowledged too (its own jobs and direct messages): tests/e2e/advisory-escalation*
    ESCALATION_CHAIN: 'off',
    REPORT_ESCALATION_CHAIN: 'off',
    ...opts.env,
    DATABASE_URL: db.url,
  });
  const clock = new ManualClock(new Date(opts.now ?? '2026-11-25T01:00:00Z'));
  const platform = new MemoryPlatform(opts.platform ?? 'console');
  const seams = opts.seams ?? new Map<PlatformName, PlatformSeam>([[platform.name, platform]]);
  // no real-time pacing in tests (the clock is manual); pacing has its own tests
  const app = await createApp(config, {
    clock,
    seams,
    log: pino({ level: 'silent' }),
    workerId: 'test',
    perChannelIntervalMs: 0,
  });
  const run = async (identity: string, text: string) => {
    const o = await app.router.handle({ platform: platform.name, identity, text, channelId: null, refs: consoleRefs });
    await app.dispatcher.drain();
    return o;
  };
  return {
    app,
    clock,
    platform,
    url: db.url,
    run,
    say: async (identity, text) => replyToText((await run(identity, text)).reply),
    auditCount: () => app.db.prisma.auditRecord.count(),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
