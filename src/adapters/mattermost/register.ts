/**
 * Registers the `/csirt` slash command in MATTERMOST_TEAM on start, idempotently: the team's
 * custom commands are listed, ours (trigger `csirt`) is updated in place if present, created
 * otherwise, so a restart never adds a second one. Autocomplete hints come from the registry.
 *
 * Mattermost generates the command's token; requests carry it and we verify them with it.
 * The caller compares it with MATTERMOST_COMMAND_TOKEN (never logging either).
 *
 * Permissions (api4/command.go): listing, creating and editing its own commands needs
 * manage_own_slash_commands in the team; seeing and editing a /csirt someone else made needs
 * manage_others_slash_commands. The Team Admin role holds both; System Admin is not needed.
 */
import type { CommandGroup } from '../../core/command.ts';
import { type DirectoryNames, type Locale, t } from '../../i18n/index.ts';
import type { MmApi } from './api.ts';
import { clip } from './escape.ts';

export const TRIGGER = 'csirt';
/** The server's answer to a second command with a trigger the team already has. */
export const DUPLICATE_TRIGGER = 'api.command.duplicate_trigger.app_error';

export interface MmCommand {
  id: string;
  token: string;
  team_id: string;
  trigger: string;
  creator_id?: string;
  url: string;
  [k: string]: unknown;
}

export interface Registration {
  commandId: string;
  token: string;
  created: boolean;
}

/** The autocomplete and description fields, in the deployment's language. */
export function commandFields(
  groups: readonly Pick<CommandGroup, 'name' | 'summary'>[],
  locale: Locale,
  directory: DirectoryNames | null = null,
) {
  const names = groups.map((g) => g.name);
  return {
    trigger: TRIGGER,
    method: 'P',
    auto_complete: true,
    auto_complete_desc: clip(t(locale, 'app.autocomplete', { commands: names.join(', ') }, directory), 500),
    auto_complete_hint: clip(`[${names.join('|')}] …`, 500),
    display_name: 'CSIRT PoC',
    description: clip(locale === 'ja' ? 'CSIRT 連絡窓口ボット' : 'CSIRT point-of-contact bot', 128),
  };
}

export async function registerCommand(
  api: MmApi,
  o: {
    team: string;
    url: string;
    locale: Locale;
    groups: readonly Pick<CommandGroup, 'name' | 'summary'>[];
    names?: DirectoryNames | null;
  },
): Promise<Registration> {
  const team = await api.get<{ id: string }>(`/teams/name/${encodeURIComponent(o.team)}`);
  const list = await api.get<MmCommand[]>('/commands', { team_id: team.id, custom_only: true });
  const fields = { ...commandFields(o.groups, o.locale, o.names ?? null), team_id: team.id, url: o.url };
  const ours = list.find((c) => c.trigger === TRIGGER && c.team_id === team.id);
  if (ours) {
    const changed = Object.entries(fields).some(([k, v]) => ours[k] !== v);
    const c = changed ? await api.put<MmCommand>(`/commands/${ours.id}`, { ...ours, ...fields, id: ours.id }) : ours;
    return { commandId: c.id, token: c.token || ours.token, created: false };
  }
  const c = await api.post<MmCommand>('/commands', { ...fields, username: '', icon_url: '' });
  return { commandId: c.id, token: c.token, created: true };
}
