/** The application in this process on a fresh database, on the real clock (scheduler, ioc). */
import pino from 'pino';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { PlatformName, PlatformSeam } from '../../src/core/platform.ts';
import { MemoryPlatform } from '../fakes/memory-platform.ts';
import { type BenchDb, freshDb } from './databases.ts';

export const CONSOLE_ADMIN = 'console:admin';

export async function benchApp(
  provider: 'sqlite' | 'postgresql' = 'sqlite',
  pgUrl: string | null = null,
): Promise<{ app: App; db: BenchDb; platform: MemoryPlatform; close(): Promise<void> }> {
  const db = await freshDb(provider, pgUrl);
  const config = loadConfig({
    DATABASE_URL: db.url,
    BOT_ADMINS: CONSOLE_ADMIN,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  const platform = new MemoryPlatform('console');
  const seams = new Map<PlatformName, PlatformSeam>([['console', platform]]);
  const app = await createApp(config, { seams, log: pino({ level: 'silent' }), workerId: `bench-${process.pid}` });
  return {
    app,
    db,
    platform,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
