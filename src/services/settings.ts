/**
 * Deployment-wide settings kept in the database (the Setting table), shared by every bot
 * process on one database. Platform-neutral: Slack and Mattermost both use the action secret.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';

export class SettingsService {
  constructor(private readonly db: Database) {}

  async get(key: string): Promise<string | null> {
    const row = await this.db.prisma.setting.findUnique({ where: { key } });
    return row?.value ?? null;
  }

  /**
   * The value of `key`, created with `make()` when absent. Race-safe across processes:
   * INSERT … ON CONFLICT DO NOTHING, then read, so every process ends with the first value.
   */
  async getOrCreate(key: string, make: () => string): Promise<string> {
    const existing = await this.get(key);
    if (existing !== null) return existing;
    await this.db.execute(
      this.db.prisma,
      'INSERT INTO "Setting" ("key", "value") VALUES (?, ?) ON CONFLICT ("key") DO NOTHING',
      key,
      make(),
    );
    const stored = await this.get(key);
    if (stored === null) throw new Error(`setting ${key} could not be stored`);
    return stored;
  }

  /** The secret that signs button values: ACTION_SECRET when configured, else one generated once. */
  actionSecret(configured: string | undefined): Promise<string> {
    if (configured) return Promise.resolve(configured);
    return this.getOrCreate('action_secret', () => randomBytes(32).toString('base64url'));
  }
}
