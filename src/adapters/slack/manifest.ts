/**
 * The Slack app manifest, built from the command registry (`npm run slack:manifest`).
 * https://docs.slack.dev/reference/app-manifest — JSON is accepted as well as YAML.
 */
import type { CommandGroup } from '../../core/command.ts';
import { type DirectoryNames, type Locale, translator } from '../../i18n/index.ts';
import { clip } from './escape.ts';
import { SLACK_EVENTS_PATH } from './receiver.ts';

/** Bot scopes, each with the reason the bot needs it. Nothing else is requested. */
export const BOT_SCOPES: Record<string, string> = {
  // the /csirt slash command
  commands: 'the /csirt slash command',
  // chat.postMessage / chat.update / chat.postEphemeral in channels the bot was invited to
  'chat:write': 'posting notices to organisation channels, updating them, replying',
  // conversations.open before a direct message (TLP:RED advisories, reminders to a person)
  'im:write': 'opening a direct message with a person',
  // conversations.history: after a lost answer, find the post carrying the delivery id
  'channels:history': 'finding an earlier post by delivery id in a public channel before posting again',
  'groups:history': 'the same in a private channel',
  'im:history': 'the same in a direct message',
  // users.info with include_locale: reply in the person's Slack language
  'users:read': "reading a person's Slack language",
};

/**
 * Every Web API method the bot calls, with the bot scopes it needs (Slack's method reference);
 * a test checks that the code calls no other method and that BOT_SCOPES is exactly their union
 * with `commands`: least privilege, kept true as the code changes.
 */
export const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'conversations.open': ['im:write'],
  'conversations.history': ['channels:history', 'groups:history', 'im:history'],
  'users.info': ['users:read'],
  'views.open': [],
  'views.update': [],
};

export interface ManifestOptions {
  groups: readonly CommandGroup<never>[] | readonly CommandGroup<unknown>[];
  locale: Locale;
  /** https://… where /slack/events is reachable; not needed in Socket Mode */
  publicUrl?: string | undefined;
  socketMode: boolean;
  name?: string;
  /** the directory's names (the coordinating organisation's) that the texts say */
  names?: DirectoryNames | null;
}

export function buildManifest(o: ManifestOptions): Record<string, unknown> {
  if (!o.socketMode && !o.publicUrl)
    throw new Error('PUBLIC_URL is required unless SLACK_APP_TOKEN (Socket Mode) is set');
  const url = o.publicUrl ? `${o.publicUrl.replace(/\/+$/, '')}${SLACK_EVENTS_PATH}` : undefined;
  const name = o.name ?? 'csirt-poc-bot';
  const groups = o.groups as readonly CommandGroup<unknown>[];
  const t = translator(o.locale, o.names);
  const description = clip(groups.map((g) => `${g.name}: ${t.fill(g.summary[o.locale])}`).join(' / '), 2000);
  const usage = clip(`${groups.map((g) => g.name).join(' | ')} …`, 1000);
  const about = t('app.about');
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: { name: clip(name, 35), description: clip(about, 140), background_color: '#1d3557' },
    features: {
      bot_user: { display_name: clip(name, 80), always_online: true },
      slash_commands: [
        {
          command: '/csirt',
          ...(url && !o.socketMode ? { url } : {}),
          description,
          usage_hint: usage,
          should_escape: true,
        },
      ],
    },
    oauth_config: { scopes: { bot: Object.keys(BOT_SCOPES) } },
    settings: {
      interactivity: { is_enabled: true, ...(url && !o.socketMode ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: o.socketMode,
      token_rotation_enabled: false,
    },
  };
}
