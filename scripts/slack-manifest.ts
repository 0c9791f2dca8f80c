/**
 * Prints the Slack app manifest (JSON) built from the command registry:
 *   PUBLIC_URL=https://bot.example.go.jp npm run slack:manifest > manifest.json
 * With SLACK_APP_TOKEN set the manifest is for Socket Mode (no request URLs).
 * Only PUBLIC_URL, BOT_LOCALE and SLACK_APP_TOKEN are read: no tokens are needed yet. The texts
 * name the coordinating organisation as the shipped directory does (data/directory.json).
 */
import { groups } from '../commands/index.ts';
import { buildManifest } from '../src/adapters/slack/manifest.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { shippedNames } from '../src/services/directory-seed.ts';

try {
  const c = loadConfig({ PUBLIC_URL: process.env.PUBLIC_URL, BOT_LOCALE: process.env.BOT_LOCALE });
  const manifest = buildManifest({
    groups,
    locale: c.BOT_LOCALE,
    publicUrl: c.PUBLIC_URL,
    socketMode: !!process.env.SLACK_APP_TOKEN,
    names: shippedNames(),
  });
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
} catch (e) {
  const problems = e instanceof ConfigError ? e.problems : [(e as Error).message];
  for (const p of problems) process.stderr.write(`slack-manifest: ${p}\n`);
  process.exit(2);
}
